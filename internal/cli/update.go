package cli

import "github.com/spf13/cobra"

// newUpdateCmd is a placeholder until the update command lands.
func newUpdateCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "update", Short: "(not implemented yet)", Hidden: true}
}
