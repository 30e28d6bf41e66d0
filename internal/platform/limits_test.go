package platform

import "testing"

func TestIntegrationProvider(t *testing.T) {
	t.Parallel()
	for typ, want := range map[string]string{
		TypeS3:                             ProviderAWS,
		TypeAWSSTS:                         ProviderAWS,
		TypeAWSCross:                       ProviderAWS,
		"s3-api":                           ProviderAWS,
		TypeGCS:                            ProviderGCP,
		TypeGCPCross:                       ProviderGCP,
		"gcp-workload-identity-federation": ProviderGCP,
		TypeAzureBlob:                      ProviderAzure,
		"azureDatalakeGen2":                ProviderAzure,
		"key_value":                        "",
		"private-registry":                 "",
		"":                                 "",
	} {
		if got := IntegrationProvider(typ); got != want {
			t.Errorf("IntegrationProvider(%q) = %q, want %q", typ, got, want)
		}
	}
}

func TestIntegrationLimit(t *testing.T) {
	t.Parallel()
	if n, ok := IntegrationLimit(TypeAWSCross); !ok || n != 15 {
		t.Errorf("aws-cross limit = %d, %v; want 15", n, ok)
	}
	if n, ok := IntegrationLimit(TypeGCPCross); !ok || n != 3 {
		t.Errorf("gcp-cross limit = %d, %v; want 3", n, ok)
	}
	if _, ok := IntegrationLimit(TypeS3); ok {
		t.Errorf("s3 has no limit")
	}
}
