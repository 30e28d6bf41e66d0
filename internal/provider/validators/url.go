package validators

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = urlValidator{}

type urlValidator struct {
	schemes []string
}

// URLWithScheme checks that a string is an absolute URL with a host and one of
// the given schemes, e.g. URLWithScheme("http", "https").
func URLWithScheme(schemes ...string) validator.String {
	return urlValidator{schemes: schemes}
}

func (v urlValidator) Description(_ context.Context) string {
	return fmt.Sprintf("value must be an absolute URL with one of the schemes %s", strings.Join(v.schemes, ", "))
}

func (v urlValidator) MarkdownDescription(_ context.Context) string {
	return fmt.Sprintf("value must be an absolute URL with one of the schemes `%s`", strings.Join(v.schemes, "`, `"))
}

func (v urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := CheckURL(req.ConfigValue.ValueString(), v.schemes...); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("The value of %s is not valid: %s.", req.Path, err))
	}
}

// CheckURL reports why s is not an absolute URL with a host and one of the
// schemes. It is exported so values from the environment get the same check.
func CheckURL(s string, schemes ...string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", s)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host; use the form %s://host[:port][/path]", s, schemes[0])
	}
	for _, scheme := range schemes {
		if strings.EqualFold(u.Scheme, scheme) {
			return nil
		}
	}
	return fmt.Errorf("%q must start with %s://", s, strings.Join(schemes, ":// or "))
}
