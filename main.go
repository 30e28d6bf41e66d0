package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/ctxrelease"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider"
)

// version is set by the release build: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// NOTE: providerserver.Serve does the same without ctxrelease.Wrap,
	// which keeps the framework from holding every request's context until
	// the provider stops (see internal/ctxrelease).
	err := tf6server.Serve("registry.terraform.io/terraform-dataloop/dataloop", func() tfprotov6.ProviderServer {
		return ctxrelease.Wrap(providerserver.NewProtocol6(provider.New(version)())())
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
}
