package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = durationValidator{}

type durationValidator struct{}

// Duration checks that a string is a positive Go duration such as "90s",
// "2m" or "1h30m", as accepted by time.ParseDuration.
func Duration() validator.String {
	return durationValidator{}
}

func (v durationValidator) Description(_ context.Context) string {
	return `value must be a positive duration such as "90s", "2m" or "1h30m"`
}

func (v durationValidator) MarkdownDescription(_ context.Context) string {
	return "value must be a positive duration such as `90s`, `2m` or `1h30m`"
}

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := ParseDuration(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("The value of %s is not valid: %s. Use a positive duration with a unit, for example \"90s\", \"2m\" or \"1h30m\".",
				req.Path, err))
	}
}

// ParseDuration parses a positive duration. It is exported so the provider can
// apply the same rule to values that come from the environment or defaults.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not greater than zero", s)
	}
	return d, nil
}
