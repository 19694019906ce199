package fod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
)

// evalExpr applies the entry to each system once and walks each target's
// attribute path, reporting a missing attribute instead of failing, so that
// one nix-instantiate gives every target's .drv path.
const evalExpr = `let
  spec = builtins.fromJSON (builtins.readFile ./spec.json);
  entry = import (/. + spec.entry);
  apply = system: if builtins.isFunction entry then entry { inherit system; } else entry;
  bySystem = builtins.listToAttrs (map (s: { name = s; value = apply s; }) spec.systems);
  walk = v: path:
    if path == [ ] then { value = v; }
    else
      let name = builtins.head path; in
      if builtins.isAttrs v && builtins.hasAttr name v
      then walk (builtins.getAttr name v) (builtins.tail path)
      else { missing = name; };
  one = t:
    let r = walk bySystem.${t.system} t.path; in
    if r ? missing then { missing = r.missing; }
    else if !(builtins.isAttrs r.value && r.value ? drvPath)
    then { notDerivation = builtins.typeOf r.value; }
    else { drv = r.value.drvPath; out = r.value.outPath; };
in map one spec.targets
`

type evalSpec struct {
	Entry   string           `json:"entry"`
	Systems []string         `json:"systems"`
	Targets []evalSpecTarget `json:"targets"`
}

type evalSpecTarget struct {
	System string   `json:"system"`
	Path   []string `json:"path"`
}

type evalAnswer struct {
	Missing       string `json:"missing"`
	NotDerivation string `json:"notDerivation"`
	DrvPath       string `json:"drv"`
	OutPath       string `json:"out"`
}

// AttrError is an attr in hashbot.toml that the entry's result lacks or
// that is not a derivation.
type AttrError struct {
	// Entry is the entry file, relative to the repo.
	Entry string
	// Problems has one sentence per target.
	Problems []string
}

func (e *AttrError) Error() string {
	return fmt.Sprintf("evaluating %s: %s", e.Entry, strings.Join(e.Problems, "; "))
}

// EvalError is a Nix evaluation that failed as a whole (a syntax error, a
// missing file, an entry that is not a function of { system, ... }).
type EvalError struct {
	// Entry is the entry file, relative to the repo.
	Entry string
	// Message is Nix's error, shortened to its first lines.
	Message string
	// Err is the underlying nixcmd error.
	Err error
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("evaluating %s: %s", e.Entry, e.Message)
}

func (e *EvalError) Unwrap() error { return e.Err }

// evaluate learns the .drv and output path of each target in one
// nix-instantiate run in the scratch copy.
func (e *Engine) evaluate(ctx context.Context, s *scratch, cfg *config.Config, ts []*target) error {
	spec := evalSpec{Entry: s.entry}
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t.system] {
			seen[t.system] = true
			spec.Systems = append(spec.Systems, t.system)
		}
		spec.Targets = append(spec.Targets, evalSpecTarget{System: t.system, Path: strings.Split(t.fod.Attr, ".")})
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	exprPath := filepath.Join(s.root, "eval.nix")
	if err := os.WriteFile(filepath.Join(s.root, "spec.json"), data, 0o644); err != nil {
		return fmt.Errorf("writing evaluation spec: %w", err)
	}
	if err := os.WriteFile(exprPath, []byte(evalExpr), 0o644); err != nil {
		return fmt.Errorf("writing evaluation expression: %w", err)
	}
	out, err := e.opts.Nix.Run(ctx, nixcmd.Command{
		Name: "nix-instantiate",
		Args: []string{"--eval", "--strict", "--json", "--read-write-mode", exprPath},
		Dir:  s.repo,
	})
	if err != nil {
		var ee *nixcmd.ExitError
		if errors.As(err, &ee) {
			return &EvalError{Entry: cfg.Entry, Message: shortenEvalError(ee.StderrTail, s.repo), Err: err}
		}
		return fmt.Errorf("evaluating %s: %w", cfg.Entry, err)
	}
	var answers []evalAnswer
	if err := json.Unmarshal(out.Stdout, &answers); err != nil || len(answers) != len(ts) {
		return fmt.Errorf("evaluating %s: unexpected nix-instantiate output %.200q", cfg.Entry, out.Stdout)
	}
	var problems []string
	for i, a := range answers {
		t := ts[i]
		where := fmt.Sprintf("%s [fod.%s] attr %q", config.FileName, t.fod.Name, t.fod.Attr)
		switch {
		case a.Missing != "":
			problems = append(problems, fmt.Sprintf("%s: the entry has no attribute %q (evaluated for %s)", where, a.Missing, t.system))
		case a.NotDerivation != "":
			problems = append(problems, fmt.Sprintf("%s: is a %s, not a derivation (evaluated for %s)", where, a.NotDerivation, t.system))
		default:
			t.drv, t.outs = a.DrvPath, []string{a.OutPath}
		}
	}
	if len(problems) > 0 {
		return &AttrError{Entry: cfg.Entry, Problems: problems}
	}
	return nil
}

// evalExcerptRe matches the source lines Nix prints under an error
// ("  3|   a = x;", "   |     ^").
var evalExcerptRe = regexp.MustCompile(`^\d*\|`)

// shortenEvalError keeps Nix's error from its first "error:" line, at most
// six lines, without the source excerpt Nix draws and with the scratch
// directory's path taken out.
func shortenEvalError(tail []string, scratchRepo string) string {
	start := -1
	for i, l := range tail {
		if strings.HasPrefix(strings.TrimSpace(l), "error:") {
			start = i
			break
		}
	}
	if start < 0 {
		start = max(len(tail)-6, 0)
	}
	var lines []string
	for _, l := range tail[start:] {
		l = strings.TrimSpace(strings.ReplaceAll(l, scratchRepo+"/", ""))
		if l == "" || strings.HasPrefix(l, "warning:") || evalExcerptRe.MatchString(l) {
			continue
		}
		lines = append(lines, l)
		if len(lines) == 6 {
			break
		}
	}
	return strings.Join(lines, " ")
}
