package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

// gcsCommand acts on the local GCS as its owner, through the same APIs as
// Google Cloud's (Storage JSON, IAM, bucket getIamPolicy/setIamPolicy).
func gcsCommand(ctx context.Context, args []string, stdout io.Writer) error {
	endpoint, err := need(envGCSEndpoint)
	if err != nil {
		return err
	}
	token, err := need(envGCSAdminToken)
	if err != nil {
		return err
	}
	g := testenv.ConnectGCS(endpoint, token)
	if len(args) == 0 {
		return errors.New("usage: gcs create-bucket|create-service-account|grant (see the package documentation)")
	}
	switch args[0] {
	case "create-bucket":
		if len(args) != 2 {
			return fmt.Errorf("usage: gcs create-bucket NAME")
		}
		return g.CreateBucket(ctx, args[1])
	case "create-service-account":
		if len(args) != 3 {
			return fmt.Errorf("usage: gcs create-service-account ID KEY_FILE")
		}
		email, key, err := g.CreateServiceAccount(ctx, args[1])
		if err != nil {
			return err
		}
		if err := os.WriteFile(args[2], key, 0o600); err != nil {
			return err
		}
		fmt.Fprintln(stdout, email)
		return nil
	case "grant":
		return gcsGrant(ctx, g, args[1:], stdout)
	}
	return fmt.Errorf("unknown gcs command %q", args[0])
}

// gcsGrant creates the two custom roles and conditional bucket bindings the
// provider's GCS grants describe (policy.GCSBucketGrants), as
// google_project_iam_custom_role and google_storage_bucket_iam_member would.
func gcsGrant(ctx context.Context, g *testenv.GCS, args []string, stdout io.Writer) error {
	fs := newFlags("gcs grant")
	bucket := fs.String("bucket", "", "bucket name")
	path := fs.String("path", "", "driver path; empty means the whole bucket")
	member := fs.String("member", "", "service account email")
	allowDelete := fs.Bool("allow-delete", false, "grant storage.objects.delete under the path")
	roleID := fs.String("role-id", "dataloop_driver", "custom role ID prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	grants, err := policy.GCSBucketGrants(policy.GCSGrantsInput{Bucket: *bucket, Path: *path, ServiceAccountEmail: *member, AllowDelete: *allowDelete})
	if err != nil {
		return err
	}
	for _, r := range []struct {
		suffix string
		grant  policy.GCSRoleGrant
	}{{"data", grants.Data}, {"probe", grants.Probe}} {
		role, err := g.CreateRole(ctx, *roleID+"_"+r.suffix, r.grant.Permissions)
		if err != nil {
			return err
		}
		b := gcsfront.Binding{Role: role, Members: []string{grants.Member}}
		if c := r.grant.Condition; c != nil {
			b.Condition = &gcsfront.Condition{Title: c.Title, Description: c.Description, Expression: c.Expression}
		}
		if err := g.AddBucketBinding(ctx, *bucket, b); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s on gs://%s to %s\n", role, *bucket, grants.Member)
	}
	return nil
}

// azureCommand acts on the local Azure stack as the subscription's owner:
// containers through the Blob service, role assignments through ARM.
func azureCommand(ctx context.Context, args []string, stdout io.Writer) error {
	info := testenv.AzureStackInfo{Accounts: map[string]string{}}
	for name, dst := range map[string]*string{
		envAzureManagementEndpoint: &info.ManagementEndpoint, envAzureManagementToken: &info.ManagementToken,
		envAzureSubscriptionID: &info.SubscriptionID, envAzureResourceGroup: &info.ResourceGroup,
		envAzuriteEndpoint: &info.AzuriteEndpoint, envAzureBlobEndpoint: &info.BlobEndpoint, envAzureAuthorityHost: &info.AuthorityHost,
	} {
		v, err := need(name)
		if err != nil {
			return err
		}
		*dst = v
	}
	account, err := need(envAzureAccount)
	if err != nil {
		return err
	}
	if info.Accounts[account], err = need(envAzureAccountKey); err != nil {
		return err
	}
	s := testenv.ConnectAzureStack(info)
	if len(args) == 0 {
		return errors.New("usage: azure create-container|assign-role (see the package documentation)")
	}
	switch args[0] {
	case "create-container":
		if len(args) != 2 {
			return fmt.Errorf("usage: azure create-container NAME")
		}
		return s.CreateContainer(ctx, account, args[1])
	case "assign-role":
		fs := newFlags("azure assign-role")
		container := fs.String("container", "", "container to scope the assignment to; empty means the storage account")
		role := fs.String("role", "Storage Blob Data Contributor", "built-in role name")
		principal := fs.String("principal", "", "object ID of the service principal")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		scope := s.StorageAccountID(account)
		if *container != "" {
			scope = s.ContainerScope(account, *container)
		}
		id, err := s.AssignRole(ctx, scope, *role, *principal)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, id)
		return nil
	}
	return fmt.Errorf("unknown azure command %q", args[0])
}
