package platform

import "time"

// Integration types as the platform names them.
const (
	TypeS3        = "s3"
	TypeAWSSTS    = "aws-sts"
	TypeAWSCross  = "aws-cross"
	TypeGCS       = "gcs"
	TypeGCPCross  = "gcp-cross"
	TypeAzureBlob = "azureblob"
)

// Driver types as the platform names them.
const (
	DriverTypeS3        = "s3"
	DriverTypeGCS       = "gcs"
	DriverTypeAzureBlob = "azureblob"
)

// The integration metadata entries Dataloop documents, and the only ones
// the provider reads: userArn holds the platform IAM user of an aws-cross
// integration, and {"name": "status", "value": "trust-established"} says
// the platform has assumed the customer's role (Dataloop's AWS S3 tutorial
// reads exactly these). Nothing documents that the bound role is echoed
// back, so it is never read. Callers use the methods on Integration below;
// the names are exported for messages only.
const (
	MetadataUserARN = "userArn"
	// MetadataServiceAccount names the platform's service account of a
	// gcp-cross integration. NOTE: Dataloop's console shows that account,
	// but no published source names the entry; this is the emulator's
	// choice, read in this one place.
	MetadataServiceAccount = "serviceAccount"
	MetadataStatus         = "status"
	StatusTrustEstablished = "trust-established"
)

// User is the authenticated user (GET /users/me).
type User struct {
	ID       string
	Email    string
	Username string
	Orgs     []string
}

// Org is a Dataloop organization.
type Org struct {
	ID   string
	Name string
}

// Project is a Dataloop project; it belongs to one org.
type Project struct {
	ID        string
	Name      string
	OrgID     string
	CreatedAt time.Time
}

// MetadataEntry is one {name, value} pair of an integration's metadata.
type MetadataEntry struct {
	Name  string
	Value string
}

// Integration is an org-level set of cloud credentials or a delegated-access
// trust. Secrets are never returned by the platform.
type Integration struct {
	ID        string
	Name      string
	Type      string
	OrgID     string
	Creator   string
	CreatedAt time.Time
	UpdatedAt time.Time
	Metadata  []MetadataEntry
}

// PlatformUserARN returns the ARN of the IAM user the platform created for
// an aws-cross integration, or "" when the platform did not return one.
func (i Integration) PlatformUserARN() string {
	v, _ := i.metadataValue(MetadataUserARN)
	return v
}

// PlatformServiceAccount returns the email of the platform's service account
// of a gcp-cross integration, which the customer lets impersonate their
// service account, or "" when the platform did not return one.
func (i Integration) PlatformServiceAccount() string {
	v, _ := i.metadataValue(MetadataServiceAccount)
	return v
}

// TrustEstablished reports whether the platform says it has assumed the
// integration's role: a "status" entry with the value "trust-established".
// Any other value, or no such entry, means not yet.
func (i Integration) TrustEstablished() bool {
	v, ok := i.metadataValue(MetadataStatus)
	return ok && v == StatusTrustEstablished
}

// metadataValue returns the value of the first metadata entry with the given name.
func (i Integration) metadataValue(name string) (string, bool) {
	for _, m := range i.Metadata {
		if m.Name == name {
			return m.Value, true
		}
	}
	return "", false
}

// CreateIntegrationInput is the body of POST /orgs/{orgId}/integrations.
// Options holds the type's credentials and is never logged or echoed in errors.
type CreateIntegrationInput struct {
	Name     string
	Type     string
	Options  map[string]any
	Metadata map[string]any
}

// UpdateIntegrationInput is the body of PATCH /orgs/{orgId}/integrations.
// Nil fields are left unchanged.
type UpdateIntegrationInput struct {
	IntegrationID string
	Name          *string
	Credentials   *IntegrationCredentials
}

// IntegrationCredentials replaces an integration's credentials (or, for
// cross-account types, binds the customer's role or service account).
type IntegrationCredentials struct {
	Type    string
	Options map[string]any
}

// DriverLocation is where a driver points. Exactly one of BucketName (S3),
// Bucket (GCS) and ContainerName (Azure) is used, matching the driver type.
type DriverLocation struct {
	BucketName    string
	Bucket        string
	ContainerName string
	Region        string
	Path          string
	StorageClass  string
	Endpoint      string
}

// Driver is a storage driver as returned by the platform: the location
// fields sit flat beside the driver's own fields.
type Driver struct {
	ID                  string
	Name                string
	Type                string
	IntegrationID       string
	IntegrationType     string
	ProjectID           string
	OrgID               string
	Creator             string
	CreatedAt           time.Time
	AllowExternalDelete bool
	DriverLocation
}

// CreateDriverInput is the body of POST /drivers and POST /drivers/test.
// An empty Creator is filled with the authenticated user's email.
type CreateDriverInput struct {
	Name                string
	Type                string
	IntegrationID       string
	IntegrationType     string
	ProjectID           string
	Creator             string
	AllowExternalDelete bool
	Payload             DriverLocation
}

// UpdateDriverInput is the body of PATCH /drivers/{id}. Nil pointers and
// empty Payload fields are not sent, so they stay unchanged.
type UpdateDriverInput struct {
	Name                *string
	AllowExternalDelete *bool
	Payload             DriverLocation
}
