package cli

import "github.com/spf13/cobra"

// newRunCmd is a placeholder until the run command lands.
func newRunCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "run", Short: "(not implemented yet)", Hidden: true}
}
