package cli

import "github.com/spf13/cobra"

// newApplyCmd is a placeholder until the apply command lands.
func newApplyCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "apply", Short: "(not implemented yet)", Hidden: true}
}
