//go:build generate

// Package tools holds the go:generate steps behind `make generate`. The
// documentation generator is a tool dependency in go.mod (`go tool tfplugindocs`).
package tools

// Format the Terraform examples that the documentation embeds.
//go:generate terraform fmt -recursive ../examples/

// Generate docs/ from the provider schema, templates/ and examples/. The
// provider name is explicit because tfplugindocs otherwise derives it from the
// checkout's directory name. tfplugindocs builds the provider and reads its
// schema with the terraform on PATH and a local plugin directory, so this
// works offline.
//go:generate go tool tfplugindocs generate --provider-dir .. --provider-name dataloop --rendered-provider-name Dataloop

// Check the generated documentation against the registry's rules.
//go:generate go tool tfplugindocs validate --provider-dir .. --provider-name dataloop
