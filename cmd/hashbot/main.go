// Command hashbot keeps the fixed-output derivation hashes of a Nix packaging
// repository current with its upstream project. See README.md.
package main

import (
	"os"

	"github.com/hashbot-nix/hashbot/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
