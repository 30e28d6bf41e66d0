package rules

import (
	"strings"
)

// AWS partitions the provider generates policies for.
const (
	PartitionAWS      = "aws"
	PartitionAWSChina = "aws-cn"
	PartitionAWSGov   = "aws-us-gov"
)

// Partitions returns the supported AWS partitions, the default first.
func Partitions() []string {
	return []string{PartitionAWS, PartitionAWSChina, PartitionAWSGov}
}

// AWSPartition reports whether p is a supported partition.
func AWSPartition(p string) error {
	for _, s := range Partitions() {
		if p == s {
			return nil
		}
	}
	return broken(RuleAWSPartition, "use one of "+strings.Join(Partitions(), ", "),
		"partition %q is not supported", p)
}

// PartitionOfRegion returns the partition an AWS region belongs to: aws-cn
// for cn-*, aws-us-gov for us-gov-*, aws otherwise.
func PartitionOfRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return PartitionAWSChina
	case strings.HasPrefix(region, "us-gov-"):
		return PartitionAWSGov
	}
	return PartitionAWS
}
