package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// fieldError is a 400 message naming the offending body field.
type fieldError struct {
	field  string
	reason string
}

func (e *fieldError) Error() string { return fmt.Sprintf("invalid field %q: %s", e.field, e.reason) }

func fieldErr(field, format string, args ...any) error {
	return &fieldError{field: field, reason: fmt.Sprintf(format, args...)}
}

// decodeObject reads a JSON object body; on failure it answers 400 and
// returns false.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "read request body: %v", err)
		return nil, false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		writeError(w, http.StatusBadRequest, "request body is required (a JSON object)")
		return nil, false
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON body: %s", jsonErrorText(err))
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		writeError(w, http.StatusBadRequest, "request body must be a JSON object")
		return nil, false
	}
	return m, true
}

// jsonErrorText describes a decoding error without echoing the body, which
// may hold secrets.
func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	return "unexpected end of input or invalid JSON"
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// requiredString returns m[name] as a non-empty string.
func requiredString(m map[string]any, field string) (string, error) {
	return requiredStringAt(m, "", field)
}

func requiredStringAt(m map[string]any, prefix, name string) (string, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return "", fieldErr(join(prefix, name), "is required")
	}
	s, ok := v.(string)
	if !ok {
		return "", fieldErr(join(prefix, name), "must be a string")
	}
	if strings.TrimSpace(s) == "" {
		return "", fieldErr(join(prefix, name), "must not be empty")
	}
	return s, nil
}

// optionalString returns m[name] as a string, "" when absent or null.
func optionalString(m map[string]any, prefix, name string) (string, bool, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", false, fieldErr(join(prefix, name), "must be a string")
	}
	return s, true, nil
}

// optionalAllowDelete reads allowExternalDelete, which drivers accept at
// the top level and inside payload.
func optionalAllowDelete(m map[string]any, prefix string) (bool, bool, error) {
	const name = "allowExternalDelete"
	v, ok := m[name]
	if !ok || v == nil {
		return false, false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, false, fieldErr(join(prefix, name), "must be a boolean")
	}
	return b, true, nil
}

func optionalObject(m map[string]any, prefix, name string) (map[string]any, bool, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return nil, false, nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, false, fieldErr(join(prefix, name), "must be an object")
	}
	return o, true, nil
}
