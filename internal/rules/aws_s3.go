package rules

import (
	"net/netip"
	"regexp"
	"strings"
)

// Reserved bucket name prefixes and suffixes (S3 general purpose bucket
// naming rules). Names with these are access point aliases, directory
// buckets, table buckets and similar resources a storage driver cannot use.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

var (
	awsBucketChars    = regexp.MustCompile(`^[a-z0-9.-]+$`)
	compatBucketChars = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

	// Region names such as us-east-1, us-gov-west-1, cn-north-1, ap-southeast-5.
	awsRegionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	// S3-compatible stores name regions freely: "auto" (Cloudflare R2),
	// "garage", "fr-par", "us-east-1".
	compatRegionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// maxCompatBucketLength is the longest bucket name accepted for an
// S3-compatible store: 255, the longest name any common store accepts.
const maxCompatBucketLength = 255

// S3BucketName reports whether name is a bucket name a storage driver can
// use. With compatible false it applies the Amazon S3 general purpose bucket
// naming rules; with compatible true (an S3-compatible endpoint is set) it
// applies only what every store needs: 3 to 255 letters, digits, dots,
// hyphens and underscores, beginning and ending with a letter or digit.
// NOTE: legacy us-east-1 names with uppercase letters or underscores (not
// creatable since 2018) are rejected for Amazon S3.
func S3BucketName(name string, compatible bool) error {
	if compatible {
		return compatBucketName(name)
	}
	const fix = "use the name of an S3 general purpose bucket: 3 to 63 lowercase letters, digits, dots and hyphens, " +
		"beginning and ending with a letter or digit"
	switch {
	case name == "":
		return broken(RuleS3BucketName, fix, "the bucket name is empty")
	case len(name) < 3 || len(name) > 63:
		return broken(RuleS3BucketName, fix, "bucket name %q is %d characters long, but S3 bucket names have 3 to 63", name, len(name))
	case !awsBucketChars.MatchString(name):
		return broken(RuleS3BucketName, fix, "bucket name %q holds characters other than lowercase letters, digits, dots (.) and hyphens (-)", name)
	case !isLowerAlnum(name[0]) || !isLowerAlnum(name[len(name)-1]):
		return broken(RuleS3BucketName, fix, "bucket name %q does not begin and end with a lowercase letter or a digit", name)
	case strings.Contains(name, ".."):
		return broken(RuleS3BucketName, fix, "bucket name %q contains two adjacent dots", name)
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return broken(RuleS3BucketName, fix, "bucket name %q is formatted as an IP address", name)
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return broken(RuleS3BucketName, "S3 reserves it for other resource types; "+fix,
				"bucket name %q starts with the reserved prefix %q", name, p)
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return broken(RuleS3BucketName, "S3 reserves it for access point aliases, directory, table and multi-region "+
				"access point names; "+fix, "bucket name %q ends with the reserved suffix %q", name, s)
		}
	}
	return nil
}

func compatBucketName(name string) error {
	const fix = "use the bucket's name as the S3-compatible store shows it: 3 to 255 letters, digits, dots, hyphens " +
		"and underscores, beginning and ending with a letter or digit"
	switch {
	case name == "":
		return broken(RuleS3BucketName, fix, "the bucket name is empty")
	case len(name) < 3 || len(name) > maxCompatBucketLength:
		return broken(RuleS3BucketName, fix, "bucket name %q is %d characters long", name, len(name))
	case !compatBucketChars.MatchString(name):
		return broken(RuleS3BucketName, fix, "bucket name %q holds characters other than letters, digits, dots, hyphens and underscores", name)
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return broken(RuleS3BucketName, fix, "bucket name %q does not begin and end with a letter or a digit", name)
	}
	return nil
}

// AWSRegion reports whether region is a region name. With compatible false
// it must be an AWS region name such as eu-west-1; with compatible true (an
// S3-compatible endpoint is set) any name of 1 to 64 letters, digits, dots,
// hyphens and underscores is accepted, such as "auto".
func AWSRegion(region string, compatible bool) error {
	if compatible {
		if !compatRegionPattern.MatchString(region) {
			return broken(RuleAWSRegion, "use the region name the S3-compatible store documents, such as auto or us-east-1",
				"region %q is not a region name: 1 to 64 letters, digits, dots, hyphens and underscores, beginning with a letter or digit", region)
		}
		return nil
	}
	if !awsRegionPattern.MatchString(region) {
		return broken(RuleAWSRegion, "use the AWS region the bucket is in, such as eu-west-1; for an S3-compatible store "+
			"(region names such as auto), set endpoint",
			"region %q is not an AWS region name", region)
	}
	return nil
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }
