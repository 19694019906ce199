package cli

import "github.com/spf13/cobra"

// newServeCmd is a placeholder until the serve command lands.
func newServeCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "(not implemented yet)", Hidden: true}
}
