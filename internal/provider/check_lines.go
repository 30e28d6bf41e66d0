package provider

import (
	"fmt"
	"strings"
)

// writeCheckLine adds one "  - name: mark: message" line to a check
// failure's detail. A check that passed without proving everything it could
// is marked "not proven", never "passed".
func writeCheckLine(b *strings.Builder, name string, success, notProven bool, message string) {
	mark := "passed"
	switch {
	case !success:
		mark = "FAILED"
	case notProven:
		mark = "not proven"
	}
	fmt.Fprintf(b, "  - %s: %s", name, mark)
	if message != "" {
		fmt.Fprintf(b, ": %s", message)
	}
	b.WriteString("\n")
}
