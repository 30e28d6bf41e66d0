package testenv

import "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"

// cloudFor is the cloud configuration whose Microsoft Entra authority is
// the stack's front.
func cloudFor(s *AzureStack) cloud.Configuration {
	return cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}}
}
