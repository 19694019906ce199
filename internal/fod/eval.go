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

// nixWalk is the Nix function both evaluation expressions walk attribute
// paths with: { value } at the end of path, or the name { missing }.
const nixWalk = `  walk = v: path:
    if path == [ ] then { value = v; }
    else
      let name = builtins.head path; in
      if builtins.isAttrs v && builtins.hasAttr name v
      then walk (builtins.getAttr name v) (builtins.tail path)
      else { missing = name; };
`

// evalPrelude applies the entry to each system once (bySystem) and walks
// attribute paths (walk). A flake's outputs are the same for every system:
// its attribute paths name the system themselves
// (packages.x86_64-linux.gopkgs).
const evalPrelude = `let
  spec = builtins.fromJSON (builtins.readFile ./spec.json);
  entry = if spec.flake != "" then builtins.getFlake spec.flake else import (/. + spec.entry);
  apply = system: if spec.flake == "" && builtins.isFunction entry then entry { inherit system; } else entry;
  bySystem = builtins.listToAttrs (map (s: { name = s; value = apply s; }) spec.systems);
` + nixWalk

// evalExpr walks each target's attribute path, reporting a missing
// attribute instead of failing, so that one nix-instantiate gives every
// target's .drv path.
const evalExpr = evalPrelude + `  one = t:
    let r = walk bySystem.${t.system} t.path; in
    if r ? missing then { missing = r.missing; }
    else if !(builtins.isAttrs r.value && r.value ? drvPath)
    then { notDerivation = builtins.typeOf r.value; }
    else { drv = r.value.drvPath; out = r.value.outPath; };
in map one spec.targets
`

// buildExpr is the targets' derivations themselves, in the order of
// spec.targets, for a nix-build that evaluates and realises them in one
// process. A missing attribute fails it (evalExpr says which).
const buildExpr = evalPrelude + `in map (t: (walk bySystem.${t.system} t.path).value) spec.targets
`

type evalSpec struct {
	Entry   string           `json:"entry"`
	Flake   string           `json:"flake"` // a path: flake reference, or
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
	exprPath, err := writeEvalFiles(s, cfg, ts, "eval.nix", evalExpr)
	if err != nil {
		return err
	}
	args := []string{"--eval", "--strict", "--json", "--read-write-mode", exprPath}
	if cfg.Flake != "" {
		args = append(nixcmd.FlakeArgs(), args...)
	}
	out, err := e.opts.Nix.Run(ctx, nixcmd.Command{Name: "nix-instantiate", Args: args, Dir: s.repo})
	if err != nil {
		var ee *nixcmd.ExitError
		if errors.As(err, &ee) {
			return &EvalError{Entry: cfg.EntryName(), Message: shortenEvalError(ee.StderrTail, s.root, s.repo), Err: err}
		}
		return fmt.Errorf("evaluating %s: %w", cfg.EntryName(), err)
	}
	var answers []evalAnswer
	if err := json.Unmarshal(out.Stdout, &answers); err != nil || len(answers) != len(ts) {
		return fmt.Errorf("evaluating %s: unexpected nix-instantiate output %.200q", cfg.EntryName(), out.Stdout)
	}
	var problems []string
	for i, a := range answers {
		t := ts[i]
		where := t.where()
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
		return &AttrError{Entry: cfg.EntryName(), Problems: problems}
	}
	return nil
}

// writeEvalFiles writes the evaluation spec of the targets and the
// expression expr (named name) reading it into the scratch directory, and
// returns the expression's path.
func writeEvalFiles(s *scratch, cfg *config.Config, ts []*target, name, expr string) (string, error) {
	spec := evalSpec{Entry: s.entry}
	if cfg.Flake != "" {
		// path: takes the copy as it is, not through git (it has no .git).
		spec.Entry, spec.Flake = "", "path:"+s.entry
	}
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t.system] {
			seen[t.system] = true
			spec.Systems = append(spec.Systems, t.system)
		}
		spec.Targets = append(spec.Targets, evalSpecTarget{System: t.system, Path: strings.Split(t.fod.AttrFor(t.system), ".")})
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	exprPath := filepath.Join(s.root, name)
	if err := os.WriteFile(filepath.Join(s.root, "spec.json"), data, 0o644); err != nil {
		return "", fmt.Errorf("writing evaluation spec: %w", err)
	}
	if err := os.WriteFile(exprPath, []byte(expr), 0o644); err != nil {
		return "", fmt.Errorf("writing evaluation expression: %w", err)
	}
	return exprPath, nil
}

// evalAtRe finds the position lines of a Nix error ("at /p/f.nix:3:5:").
var evalAtRe = regexp.MustCompile(`^at (.+?):(\d+):(\d+):?$`)

// shortenEvalError returns Nix's own message and the place in the user's
// files it points at: "undefined variable 'x' (at nix/default.nix:3:5)".
// Nix ≥ 2.2x prints a trace of "… while evaluating" frames before the
// message, and some of them point at the evaluation expression hashbot
// writes into the scratch directory (root): those are left out, and the
// scratch copy's path (repo) becomes the repository's.
func shortenEvalError(tail []string, root, repo string) string {
	lines := make([]string, len(tail))
	last := -1
	for i, l := range tail {
		lines[i] = strings.TrimSpace(string(parseStripANSI(nil, []byte(l))))
		if strings.HasPrefix(lines[i], "error:") {
			last = i
		}
	}
	var msg []string
	if last < 0 {
		for _, l := range lines[max(len(lines)-3, 0):] {
			if l != "" {
				msg = append(msg, l)
			}
		}
	} else if m := strings.TrimSpace(strings.TrimPrefix(lines[last], "error:")); m != "" {
		msg = append(msg, m)
		for _, l := range lines[last+1:] {
			if l == "" || evalAtRe.MatchString(l) || evalExcerptRe.MatchString(l) || strings.HasPrefix(l, "…") || len(msg) == 4 {
				break
			}
			msg = append(msg, l)
		}
	}
	text := strings.Join(msg, " ")
	if where := evalPosition(lines, root, repo); where != "" {
		text += " (at " + where + ")"
	}
	return strings.ReplaceAll(strings.ReplaceAll(text, repo+"/", ""), root+"/", "")
}

// evalPosition returns the innermost position in the trace that is in the
// user's repository ("nix/default.nix:19:13"), else the innermost one that is
// not hashbot's own evaluation expression, else "".
func evalPosition(lines []string, root, repo string) string {
	var inRepo, other string
	for _, l := range lines {
		m := evalAtRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		file, pos := m[1], m[2]+":"+m[3]
		switch {
		case strings.HasPrefix(file, repo+"/"):
			inRepo = strings.TrimPrefix(file, repo+"/") + ":" + pos
		case !strings.HasPrefix(file, root+"/") && !strings.HasPrefix(file, "«"):
			other = file + ":" + pos
		}
	}
	if inRepo != "" {
		return inRepo
	}
	return other
}

// evalExcerptRe matches the source lines Nix prints under an error
// ("3|   a = x;", "|     ^").
var evalExcerptRe = regexp.MustCompile(`^\d*\|`)
