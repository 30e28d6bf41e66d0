package rules

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxObjectNameLength is the longest name, in characters, of a platform
// object the provider creates (integrations, storage drivers). NOTE: neither
// Dataloop's published API nor its documentation states a limit, and the
// platform accepts 100,000 characters; 256 keeps names usable in the console,
// in lists and in error messages, and is the common limit of the stores whose
// objects the names label.
const MaxObjectNameLength = 256

// ObjectName reports whether name can name an integration or a storage
// driver: non-empty, valid UTF-8, at most MaxObjectNameLength characters, no
// control characters or line breaks.
func ObjectName(name string) error {
	const fix = "use a single line of 1 to 256 characters without control characters"
	switch {
	case name == "":
		return broken(RuleObjectName, fix, "the name is empty")
	case !utf8.ValidString(name):
		return broken(RuleObjectName, fix, "the name is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(name); n > MaxObjectNameLength {
		return broken(RuleObjectName, fix, "the name is %d characters long; the limit is %d", n, MaxObjectNameLength)
	}
	for _, r := range name {
		if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
			return broken(RuleObjectName, fix, "name %s contains a line break", quoteShort(name))
		}
		if unicode.IsControl(r) {
			return broken(RuleObjectName, fix, "name %s contains the control character %U", quoteShort(name), r)
		}
	}
	return nil
}

// quoteShort quotes a name for a message, cut to 64 characters.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) <= 64 {
		return fmt.Sprintf("%q", s)
	}
	r := []rune(s)
	return fmt.Sprintf("%q…", string(r[:64]))
}
