package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

// scriptCmds are the commands scripts have beyond testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"ghrepo":       cmdGHRepo,
	"ghrelease":    cmdGHRelease,
	"ghadvisory":   cmdGHAdvisory,
	"ghdeny":       cmdGHDeny,
	"ghbranch":     cmdGHBranch,
	"ghpulls":      cmdGHPulls,
	"ghbody":       cmdGHBody,
	"ghclose":      cmdGHClose,
	"ghwrites":     cmdGHWrites,
	"ghreads":      cmdGHReads,
	"ghapp":        cmdGHApp,
	"ghgit":        cmdGHGit,
	"ghapicommits": cmdGHAPICommits,
	"ghpr":         cmdGHPR,
	"sendhook":     cmdSendHook,
	"waithttp":     cmdWaitHTTP,
	"exits":        cmdExits,
}

// exits N program args...: run program like exec does (stdout and stderr
// kept for the next checks) and fail unless it exits with status N.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "exits")
	if len(args) < 2 {
		ts.Fatalf("usage: exits N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

func noNeg(ts *testscript.TestScript, neg bool, name string) {
	if neg {
		ts.Fatalf("unsupported: ! %s", name)
	}
}

// ghrepo owner/name [default-branch]: make a repository known to the fake
// GitHub (default branch "main").
func cmdGHRepo(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghrepo")
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: ghrepo owner/name [default-branch]")
	}
	branch := ""
	if len(args) == 2 {
		branch = args[1]
	}
	fakeGitHub(ts).AddRepo(args[0], branch)
}

// ghrelease owner/name tag dir [notes-file]: publish a release at tag
// whose files are those under dir, with the notes in notes-file. Releases
// added later are newer.
func cmdGHRelease(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghrelease")
	if len(args) != 3 && len(args) != 4 {
		ts.Fatalf("usage: ghrelease owner/name tag dir [notes-file]")
	}
	srv := fakeGitHub(ts)
	ts.Check(srv.AddDir(args[0], args[1], ts.MkAbs(args[2])))
	rel := ghfake.Release{Tag: args[1]}
	if len(args) == 4 {
		rel.Body = ts.ReadFile(args[3])
	}
	srv.AddRelease(args[0], rel)
}

// ghadvisory owner/name ghsa-id cve-id severity range summary: publish a
// security advisory of owner/name whose vulnerable range is range (cve-id
// "-" for none).
func cmdGHAdvisory(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghadvisory")
	if len(args) != 6 {
		ts.Fatalf("usage: ghadvisory owner/name ghsa-id cve-id severity range summary")
	}
	cve := args[2]
	if cve == "-" {
		cve = ""
	}
	fakeGitHub(ts).AddAdvisory(args[0], ghfake.Advisory{GHSAID: args[1], CVEID: cve, Severity: args[3], Summary: args[5],
		Vulnerabilities: []ghfake.Vulnerability{{Ecosystem: "other", Package: args[0], Range: args[4]}}})
}

// ghdeny path-suffix status: answer every request whose path ends in
// path-suffix with status and GitHub's error body from now on.
func cmdGHDeny(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghdeny")
	if len(args) != 2 {
		ts.Fatalf("usage: ghdeny path-suffix status")
	}
	status, err := strconv.Atoi(args[1])
	ts.Check(err)
	fakeGitHub(ts).Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, args[0]) {
			return false
		}
		ghfake.WriteError(w, status, "Resource not accessible by integration", "https://docs.github.com/rest")
		return true
	})
}

// ghbranch owner/name branch sha dir: point branch at the commit sha,
// whose files are those under dir (a nixpkgs-like branch moving). A sha
// of head:DIR is the HEAD commit of the git repository DIR (a flake
// input that Nix fetches from there).
func cmdGHBranch(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghbranch")
	if len(args) != 4 {
		ts.Fatalf("usage: ghbranch owner/name branch sha dir")
	}
	sha := args[2]
	if repo, ok := strings.CutPrefix(sha, "head:"); ok {
		out, err := exec.Command("git", "-C", ts.MkAbs(repo), "rev-parse", "HEAD").Output()
		ts.Check(err)
		sha = strings.TrimSpace(string(out))
	}
	srv := fakeGitHub(ts)
	ts.Check(srv.AddDir(args[0], sha, ts.MkAbs(args[3])))
	srv.SetBranch(args[0], args[1], sha)
}

// pullLine is one line of ghpulls: a pull request without its body.
type pullLine struct {
	Number   int      `json:"number"`
	State    string   `json:"state"`
	Head     string   `json:"head"`
	Base     string   `json:"base"`
	Title    string   `json:"title"`
	Draft    bool     `json:"draft"`
	Labels   []string `json:"labels"`
	Comments []string `json:"comments"`
	// AutoMerge is the merge method auto-merge is on with; left out when off.
	AutoMerge string `json:"auto_merge,omitempty"`
}

// ghpulls owner/name: print the repository's pull requests on the fake
// GitHub, one JSON line each, lowest number first (for cmp or stdout).
func cmdGHPulls(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghpulls")
	if len(args) != 1 {
		ts.Fatalf("usage: ghpulls owner/name")
	}
	enc := json.NewEncoder(ts.Stdout()) // even with nothing to print: stdout is this command's
	enc.SetEscapeHTML(false)
	for _, p := range fakeGitHub(ts).PullRequests(args[0]) {
		line := pullLine{Number: p.Number, State: p.State, Head: p.Head, Base: p.Base, Title: p.Title,
			Draft: p.Draft, Labels: p.Labels, Comments: p.Comments, AutoMerge: p.AutoMerge}
		if line.Labels == nil {
			line.Labels = []string{}
		}
		if line.Comments == nil {
			line.Comments = []string{}
		}
		ts.Check(enc.Encode(line))
	}
}

// ghbody owner/name N: print pull request N's body.
func cmdGHBody(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghbody")
	if len(args) != 2 {
		ts.Fatalf("usage: ghbody owner/name number")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	p, ok := fakeGitHub(ts).PullRequest(args[0], n)
	if !ok {
		ts.Fatalf("no pull request #%d in %s", n, args[0])
	}
	fmt.Fprint(ts.Stdout(), p.Body)
}

// ghclose owner/name N [merged|reopen]: a maintainer closes pull request N
// without merging, merges it, or reopens it.
func cmdGHClose(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghclose")
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: ghclose owner/name number [merged|reopen]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	srv := fakeGitHub(ts)
	how := ""
	if len(args) == 3 {
		how = args[2]
	}
	var ok bool
	switch how {
	case "":
		ok = srv.ClosePullRequest(args[0], n, false)
	case "merged":
		ok = srv.ClosePullRequest(args[0], n, true)
	case "reopen":
		ok = srv.ReopenPullRequest(args[0], n)
	default:
		ts.Fatalf("ghclose: %q is not merged or reopen", how)
	}
	if !ok {
		ts.Fatalf("ghclose: no pull request #%d in %s to %s", n, args[0], firstNonEmpty(how, "close"))
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// ghwrites: print every write request the fake GitHub has answered so far,
// "METHOD path status" a line.
func cmdGHWrites(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghwrites")
	if len(args) != 0 {
		ts.Fatalf("usage: ghwrites")
	}
	out := ts.Stdout()
	for _, r := range fakeGitHub(ts).Writes() {
		fmt.Fprintf(out, "%s %s %d\n", r.Method, r.Path, r.Status)
	}
}

// ghreads [reset]: print every GET the fake GitHub has answered since the
// last reset, "path status conditional|unconditional" a line; with reset,
// forget them instead.
func cmdGHReads(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghreads")
	srv := fakeGitHub(ts)
	switch {
	case len(args) == 1 && args[0] == "reset":
		srv.ResetRequests()
		return
	case len(args) != 0:
		ts.Fatalf("usage: ghreads [reset]")
	}
	out := ts.Stdout()
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			continue
		}
		kind := "unconditional"
		if r.Conditional {
			kind = "conditional"
		}
		fmt.Fprintf(out, "%s %d %s\n", r.Path, r.Status, kind)
	}
}

// ghapp owner/name app-id installation-id keyfile ttl: install a GitHub App
// on the repository, its new private key written to keyfile, its tokens
// lasting ttl; ghapp minted: print how many tokens it minted.
func cmdGHApp(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghapp")
	srv := fakeGitHub(ts)
	if len(args) == 1 && args[0] == "minted" {
		fmt.Fprintln(ts.Stdout(), srv.MintedTokens())
		return
	}
	if len(args) != 5 {
		ts.Fatalf("usage: ghapp owner/name app-id installation-id keyfile ttl | ghapp minted")
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	inst, err := strconv.ParseInt(args[2], 10, 64)
	ts.Check(err)
	ttl, err := time.ParseDuration(args[4])
	ts.Check(err)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	ts.Check(err)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	ts.Check(os.WriteFile(ts.MkAbs(args[3]), keyPEM, 0o600))
	srv.AddApp(ghfake.App{ID: id, PublicKey: &key.PublicKey, Installation: inst, Repos: []string{args[0]}, TokenTTL: ttl})
}

// ghgit owner/name dir: the bare repository at dir backs the repository's
// git refs endpoints and createCommitOnBranch.
func cmdGHGit(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghgit")
	if len(args) != 2 {
		ts.Fatalf("usage: ghgit owner/name dir")
	}
	fakeGitHub(ts).ServeGit(args[0], ts.MkAbs(args[1]))
}

// ghapicommits owner/name: print the commits made through
// createCommitOnBranch, one a line (the ones GitHub signs).
func cmdGHAPICommits(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghapicommits")
	if len(args) != 1 {
		ts.Fatalf("usage: ghapicommits owner/name")
	}
	for _, c := range fakeGitHub(ts).APICommits(args[0]) {
		fmt.Fprintln(ts.Stdout(), c)
	}
}

// deliveries numbers the deliveries sendhook makes (scripts run in parallel).
var deliveries atomic.Int64

// sendhook event file url secret: POST file as a GitHub webhook delivery of
// event, signed with secret (X-Hub-Signature-256), with a fresh delivery
// id. It prints "status N" and the answer's body.
func cmdSendHook(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "sendhook")
	if len(args) != 4 {
		ts.Fatalf("usage: sendhook event file url secret")
	}
	body, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	mac := hmac.New(sha256.New, []byte(args[3]))
	mac.Write(body)
	req, err := http.NewRequest(http.MethodPost, args[2], bytes.NewReader(body))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/test")
	req.Header.Set("X-GitHub-Event", args[0])
	req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("72d3162e-cc78-11e3-81ab-%012d", deliveries.Add(1)))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "status %d\n%s\n", resp.StatusCode, bytes.TrimSpace(answer))
}

// waithttp url [text]: wait up to 30s until GET url answers 200 (and its
// body contains text), then print the body.
func cmdWaitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "waithttp")
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: waithttp url [text]")
	}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := client.Get(args[0])
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = fmt.Sprintf("status %d: %s", resp.StatusCode, b)
			if resp.StatusCode == http.StatusOK && (len(args) == 1 || strings.Contains(string(b), args[1])) {
				fmt.Fprintf(ts.Stdout(), "%s\n", bytes.TrimSpace(b))
				return
			}
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("waithttp %s: gave up after 30s; last answer: %s", args[0], last)
}
