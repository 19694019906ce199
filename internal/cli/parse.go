package cli

import "github.com/spf13/cobra"

// newParseCmd is replaced by the parser work.
func newParseCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "parse [FILE]", Short: "Read Nix hash mismatches from a build log"}
}
