package cli

import "github.com/spf13/cobra"

// newCheckCmd is a placeholder until the check command lands.
func newCheckCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "check", Short: "(not implemented yet)", Hidden: true}
}
