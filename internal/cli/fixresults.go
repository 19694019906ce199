package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/bot"
)

// maxFixResultsFiles bounds the files `fix --apply` reads: one per
// system is a handful, and a directory comes from an artifact that a job
// running the pull request's code uploaded.
const maxFixResultsFiles = 32

// readFixResultsSets reads the results of `fix --json` runs that --apply
// names: files, and the *.json files of directories (the compute jobs'
// artifacts downloaded into one). An entry of a directory that is not a
// regular file (a symbolic link, say) is refused rather than followed.
func readFixResultsSets(args []string) ([]bot.NamedFixResults, error) {
	var paths []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("--apply: %w", err)
		}
		if !fi.IsDir() {
			paths = append(paths, filepath.Clean(arg))
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, fmt.Errorf("--apply: %w", err)
		}
		n := len(paths)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".json") {
				continue
			}
			if !e.Type().IsRegular() {
				return nil, fmt.Errorf("--apply %s: %.80q is not a regular file", arg, e.Name())
			}
			paths = append(paths, filepath.Join(arg, e.Name()))
		}
		if len(paths) == n {
			return nil, fmt.Errorf("--apply %s: no *.json results in the directory", arg)
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	if len(paths) > maxFixResultsFiles {
		return nil, fmt.Errorf("--apply: %d results files, more than %d: one per system is expected", len(paths), maxFixResultsFiles)
	}
	sets := make([]bot.NamedFixResults, 0, len(paths))
	for _, p := range paths {
		r, err := readFixResults(p)
		if err != nil {
			return nil, err
		}
		sets = append(sets, bot.NamedFixResults{Name: p, Results: r})
	}
	return sets, nil
}
