package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// testDriverFleet holds drivers made outside Terraform over the
// integrations of testAccFleet: two S3 drivers of one bucket in two
// projects (same name), a second S3 bucket and a GCS bucket.
type testDriverFleet struct {
	testFleet
	drivers map[string]string // IDs by label: raw, raw2, labels, gcs
}

func testAccDriverFleet(t *testing.T, e *testEmulator) testDriverFleet {
	t.Helper()
	f := testDriverFleet{testFleet: testAccFleet(t, e), drivers: map[string]string{}}
	client := testClient(t)
	create := func(label string, in platform.CreateDriverInput) {
		d, err := client.CreateDriver(context.Background(), in)
		if err != nil {
			t.Fatalf("creating driver %s: %v", label, err)
		}
		f.drivers[label] = d.ID
	}
	s3 := func(name, project, integration, bucket, path string) platform.CreateDriverInput {
		return platform.CreateDriverInput{Name: name, Type: platform.DriverTypeS3, ProjectID: project,
			IntegrationID: f.ids[integration], AllowExternalDelete: integration == "keys",
			Payload: platform.DriverLocation{BucketName: bucket, Region: "eu-west-1", Path: path}}
	}
	create("raw", s3(f.prefix+"-raw", testProjectID, "keys", f.prefix+"-bucket-a", "raw/"))
	create("raw2", s3(f.prefix+"-raw", testFleetProjectID, "keys", f.prefix+"-bucket-a", "raw/"))
	create("labels", s3(f.prefix+"-labels", testProjectID, "sts", f.prefix+"-bucket-b", ""))
	create("gcs", platform.CreateDriverInput{Name: f.prefix + "-gcs", Type: platform.DriverTypeGCS, ProjectID: testProjectID,
		IntegrationID: f.ids["gcs"], Payload: platform.DriverLocation{Bucket: f.prefix + "-gcs-bucket", Path: "images/"}})
	return f
}

func expectDriverIDs(address string, ids ...string) statecheck.StateCheck {
	values := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		values[i] = knownvalue.StringExact(id)
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("ids"), knownvalue.ListExact(values))
}

func TestAccStorageDriversDataSource_filters(t *testing.T) {
	e := testAccEmulator(t, withFleetSeed)
	f := testAccDriverFleet(t, e)
	d := f.drivers
	filters := map[string]string{
		"project":           fmt.Sprintf("project_id = %q", testProjectID),
		"project2":          fmt.Sprintf("project_id = %q", testFleetProjectID),
		"integration":       fmt.Sprintf("integration_id = %q", f.ids["keys"]),
		"bucket":            fmt.Sprintf("bucket = %q", f.prefix+"-bucket-a"),
		"container":         fmt.Sprintf("bucket = %q", f.prefix+"-gcs-bucket"),
		"bucket_in_project": fmt.Sprintf("bucket = %q\n  project_id = %q", f.prefix+"-bucket-a", testFleetProjectID),
		"type":              `type = "gcs"`,
		"none_bucket":       `bucket = "no-such-bucket"`,
		"none_integration":  fmt.Sprintf("integration_id = %q", f.ids["cross"]),
		"all":               ``,
	}
	var config strings.Builder
	for label, filter := range filters {
		fmt.Fprintf(&config, "data \"dataloop_storage_drivers\" %q {\n  %s\n}\n\n", label, filter)
	}
	at := func(label string) string { return "data.dataloop_storage_drivers." + label }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				// Sorted by project, then name: -gcs, -labels, -raw.
				expectDriverIDs(at("project"), d["gcs"], d["labels"], d["raw"]),
				expectDriverIDs(at("project2"), d["raw2"]),
				expectDriverIDs(at("integration"), d["raw"], d["raw2"]),
				expectDriverIDs(at("bucket"), d["raw"], d["raw2"]),
				expectDriverIDs(at("container"), d["gcs"]),
				expectDriverIDs(at("bucket_in_project"), d["raw2"]),
				expectDriverIDs(at("type"), d["gcs"]),
				expectDriverIDs(at("none_bucket")),
				statecheck.ExpectKnownValue(at("none_bucket"), tfjsonpath.New("drivers"), knownvalue.ListExact([]knownvalue.Check{})),
				expectDriverIDs(at("none_integration")),
				expectDriverIDs(at("all"), d["gcs"], d["labels"], d["raw"], d["raw2"]),
				statecheck.ExpectKnownValue(at("project2"), tfjsonpath.New("drivers").AtSliceIndex(0),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":               knownvalue.StringExact(d["raw2"]),
						"name":             knownvalue.StringExact(f.prefix + "-raw"),
						"type":             knownvalue.StringExact("s3"),
						"project_id":       knownvalue.StringExact(testFleetProjectID),
						"org_id":           knownvalue.StringExact(testOrgID),
						"integration_id":   knownvalue.StringExact(f.ids["keys"]),
						"integration_type": knownvalue.StringExact("s3"),
						"bucket":           knownvalue.StringExact(f.prefix + "-bucket-a"),
						"region":           knownvalue.StringExact("eu-west-1"),
						"path":             knownvalue.StringExact("raw/"),
						"storage_class":    knownvalue.Null(),
						"endpoint":         knownvalue.Null(),
						"allow_delete":     knownvalue.Bool(true),
						"created_at":       knownvalue.StringRegexp(rfc3339Pattern),
						"creator":          knownvalue.StringExact(testUserEmail),
					})),
			},
		}},
	})
}

func TestAccStorageDriverDataSource(t *testing.T) {
	e := testAccEmulator(t, withFleetSeed)
	f := testAccDriverFleet(t, e)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "dataloop_storage_driver" "by_id" {
  id = %[1]q
}

data "dataloop_storage_driver" "by_name" {
  project_id = %[2]q
  name       = %[3]q
}
`, f.drivers["gcs"], testFleetProjectID, f.prefix+"-raw"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_id", tfjsonpath.New("name"), knownvalue.StringExact(f.prefix+"-gcs")),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_id", tfjsonpath.New("type"), knownvalue.StringExact("gcs")),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_id", tfjsonpath.New("bucket"), knownvalue.StringExact(f.prefix+"-gcs-bucket")),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_id", tfjsonpath.New("region"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_id", tfjsonpath.New("path"), knownvalue.StringExact("images/")),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_id", tfjsonpath.New("project_id"), knownvalue.StringExact(testProjectID)),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_id", tfjsonpath.New("integration_id"), knownvalue.StringExact(f.ids["gcs"])),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_name", tfjsonpath.New("id"), knownvalue.StringExact(f.drivers["raw2"])),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_name", tfjsonpath.New("region"), knownvalue.StringExact("eu-west-1")),
				statecheck.ExpectKnownValue("data.dataloop_storage_driver.by_name", tfjsonpath.New("allow_delete"), knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccStorageDriverDataSource_errors(t *testing.T) {
	e := testAccEmulator(t, withFleetSeed)
	f := testAccDriverFleet(t, e)
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"unknown name": {
			config: fmt.Sprintf(`data "dataloop_storage_driver" "test" {
  project_id = %q
  name       = "no-such-driver"
}`, testProjectID),
			want: regexp.MustCompile(`(?s)Storage Driver Not Found.*"no-such-driver".*` + f.prefix + `-gcs`),
		},
		"unknown id": {
			config: notFoundByIDConfig("dataloop_storage_driver", "no-such-id"),
			want: expectNotFoundByID("dataloop_storage_driver", "no-such-id", "Unable to Read Storage Driver",
				`Could not read storage driver "no-such-id": dataloop API: GET /drivers/no-such-id: 404 Not Found`,
				"Check the ID, and that the token's user can see the driver's project."),
		},
		"name without project": {
			config: `data "dataloop_storage_driver" "test" { name = "x" }`,
			want:   regexp.MustCompile(`(?s)Invalid Attribute Combination.*project_id`),
		},
		"id and name": {
			config: fmt.Sprintf(`data "dataloop_storage_driver" "test" {
  id         = %q
  project_id = %q
  name       = "x"
}`, f.drivers["raw"], testProjectID),
			want: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: tc.want}},
			})
		})
	}
}
