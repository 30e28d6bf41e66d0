package platform

import "strings"

// integrationLimits are the platform's per-organization limits on
// integrations of a type (Dataloop's documentation: at most 15 AWS
// cross-account and 3 GCP cross-project integrations per organization).
var integrationLimits = map[string]int{
	TypeAWSCross: 15,
	TypeGCPCross: 3,
}

// IntegrationLimit returns how many integrations of type typ an
// organization may have, and false when the platform sets no limit.
func IntegrationLimit(typ string) (int, bool) {
	n, ok := integrationLimits[typ]
	return n, ok
}

// Cloud providers of integrations, as the Dataloop console groups them.
const (
	ProviderAWS   = "aws"
	ProviderGCP   = "gcp"
	ProviderAzure = "azure"
)

// Providers lists the cloud providers an integration can belong to.
func Providers() []string { return []string{ProviderAWS, ProviderGCP, ProviderAzure} }

// IntegrationProvider returns the cloud provider of an integration type
// ("aws", "gcp" or "azure"), or "" for types that belong to none (for
// example key_value or private-registry). It goes by the type's name, so
// types added later (gcp-workload-identity-federation, s3-api) are placed
// without a table to update.
func IntegrationProvider(typ string) string {
	t := strings.ToLower(typ)
	switch {
	case t == "s3" || strings.HasPrefix(t, "s3-") || strings.HasPrefix(t, "aws"):
		return ProviderAWS
	case t == "gcs" || strings.HasPrefix(t, "gcs-") || strings.HasPrefix(t, "gcp"):
		return ProviderGCP
	case strings.HasPrefix(t, "azure"):
		return ProviderAzure
	}
	return ""
}
