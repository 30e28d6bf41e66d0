// Package validators holds the provider's custom attribute validators: checks
// that terraform-plugin-framework-validators has no ready-made equivalent for,
// with messages that name the attribute and say how to fix the value.
package validators
