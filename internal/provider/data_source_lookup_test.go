package provider

import (
	"fmt"
	"regexp"
	"strings"
)

// notFoundByIDConfig looks up an object of data source typeName by an id the
// platform does not know. The id sits on its own line, so the error's source
// snippet shows that line only if the diagnostic names the id attribute.
func notFoundByIDConfig(typeName, id string) string {
	return fmt.Sprintf(`data %q "test" {
  id = %q
}`, typeName, id)
}

// expectNotFoundByID matches the error lookupByIDError reports for a lookup
// of notFoundByIDConfig's id that the platform answered with 404: the
// summary, the id attribute, the detail naming the ID and the status, and
// the not-found hint after a blank line. Literal text may wrap at any space.
func expectNotFoundByID(typeName, id, summary, detail, hint string) *regexp.Regexp {
	literal := func(s string) string {
		return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)Error: ` + literal(summary) + `\s+` +
		literal(fmt.Sprintf(`with data.%s.test,`, typeName)) + `\s+on \S+ line \d+, in ` + literal(fmt.Sprintf(`data %q "test":`, typeName)) +
		`\s+\d+:\s+id\s+=\s+` + literal(fmt.Sprintf("%q", id)) + `\n` +
		`\s*` + literal(detail) + `\b.*\n\s*\n\s*` + literal(hint) + `\s*$`)
}
