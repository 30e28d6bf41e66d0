package rules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxObjectKeyLength is the longest S3 object key, in UTF-8 bytes.
const MaxObjectKeyLength = 1024

// ProbeFolder is the hidden folder under a driver path where the platform
// and the access checker write their probe objects.
const ProbeFolder = ".dataloop/"

// probeObjectReserve is room left under ProbeFolder for a probe object name.
const probeObjectReserve = "test-file-00000000"

// NormalizeDriverPath returns the form of a driver path (a key prefix) that
// the platform, the policies and the checker use: no leading slash and
// exactly one trailing slash, or "" for the bucket root. "raw", "/raw" and
// "raw/" are the same prefix.
func NormalizeDriverPath(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// DriverPath reports whether p can be a driver path: valid UTF-8 without
// control characters, no empty segments ("a//b"), no "." or ".." segments
// (stores and tools that normalize paths would read another prefix), and
// short enough that the probe objects under it fit the S3 key limit.
// Wildcard characters are allowed: the policy generators escape them.
func DriverPath(p string) error {
	const fix = "use a key prefix such as raw/images/: segments separated by single slashes, without control " +
		"characters and without . or .. segments"
	if !utf8.ValidString(p) {
		return broken(RuleDriverPath, fix, "the path is not valid UTF-8")
	}
	for _, r := range p {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return broken(RuleDriverPath, fix, "path %q contains the control character %U", p, r)
		}
	}
	// NOTE: leading and trailing slashes are normalized away; only a slash
	// run between segments is an empty segment.
	if strings.Contains(strings.Trim(p, "/"), "//") {
		return broken(RuleDriverPath, fix, "path %q contains an empty segment (//)", p)
	}
	for _, seg := range strings.Split(strings.Trim(p, "/"), "/") {
		if seg == "." || seg == ".." {
			return broken(RuleDriverPath, fix, "path %q contains a %q segment", p, seg)
		}
	}
	if n := len(NormalizeDriverPath(p)) + len(ProbeFolder) + len(probeObjectReserve); n > MaxObjectKeyLength {
		return broken(RuleDriverPath, fmt.Sprintf("use a path of at most %d bytes", MaxObjectKeyLength-len(ProbeFolder)-len(probeObjectReserve)-1),
			"path is too long: S3 keys are limited to %d bytes, and the path plus the probe object under %q would use %d",
			MaxObjectKeyLength, ProbeFolder, n)
	}
	return nil
}
