// Package ghapp authenticates hashbot as a GitHub App installation: it
// mints installation tokens (an hour each) with the App's private key and
// renews them before they expire, so a long-running `hashbot serve` never
// works with a stale one. Tokens go to ghclient (the API) and gitops (git
// over https) through Tokens.Token; the key and the tokens are never
// logged.
//
// Minting and renewal are ghinstallation's: one installation token per
// Tokens, refreshed a minute before it expires.
package ghapp

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/bradleyfalzon/ghinstallation/v2"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// Options configure New.
type Options struct {
	// BaseURL is the REST API root (GITHUB_API_URL); "" is api.github.com.
	BaseURL string
	// AppID is the App's numeric ID.
	AppID int64
	// PrivateKey is the App's private key, PEM ("-----BEGIN RSA PRIVATE
	// KEY-----", as GitHub hands it out).
	PrivateKey []byte
	// InstallationID is the installation on the packaging repository; 0
	// looks it up from Repo (GET /repos/{owner}/{repo}/installation).
	InstallationID int64
	// Repo is the packaging repository, "owner/name", for that lookup.
	Repo string
	// Transport carries the requests; nil is http.DefaultTransport.
	Transport http.RoundTripper
}

// Tokens hands out the installation's current token.
type Tokens struct {
	opts Options
	mu   sync.Mutex
	tr   *ghinstallation.Transport // nil until the installation is known
}

// New checks opts (the key must parse) and returns Tokens. It makes no
// request: the installation is looked up and the first token minted by
// the first Token.
func New(opts Options) (*Tokens, error) {
	if opts.AppID <= 0 {
		return nil, fmt.Errorf("GitHub App: app ID %d is not an App ID", opts.AppID)
	}
	if err := checkKey(opts.PrivateKey); err != nil {
		return nil, fmt.Errorf("GitHub App %d: private key: %w", opts.AppID, err)
	}
	if opts.InstallationID < 0 || opts.InstallationID == 0 && !ghrepo.Valid(opts.Repo) {
		return nil, fmt.Errorf("GitHub App %d: no installation ID and no owner/name repository (%q) to look it up on", opts.AppID, opts.Repo)
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	if opts.BaseURL == "" {
		opts.BaseURL = "https://api.github.com"
	}
	return &Tokens{opts: opts}, nil
}

// checkKey says whether key is a PEM RSA private key, without keeping it.
func checkKey(key []byte) error {
	block, _ := pem.Decode(key)
	if block == nil {
		return errors.New("not PEM")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if _, ok := k.(*rsa.PrivateKey); err != nil || !ok {
		return errors.New("not an RSA private key")
	}
	return nil
}

// Token returns a valid installation token, minting one when there is
// none or it expires within a minute.
func (t *Tokens) Token(ctx context.Context) (string, error) {
	tr, err := t.transport(ctx)
	if err != nil {
		return "", err
	}
	tok, err := tr.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("GitHub App %d: minting an installation token: %w", t.opts.AppID, err)
	}
	return tok, nil
}

// transport is the installation's token transport, found once.
func (t *Tokens) transport(ctx context.Context) (*ghinstallation.Transport, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tr != nil {
		return t.tr, nil
	}
	atr, err := ghinstallation.NewAppsTransport(t.opts.Transport, t.opts.AppID, t.opts.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("GitHub App %d: %w", t.opts.AppID, err)
	}
	atr.BaseURL = t.opts.BaseURL
	id := t.opts.InstallationID
	if id == 0 {
		if id, err = t.lookUp(ctx, atr); err != nil {
			return nil, err
		}
	}
	t.tr = ghinstallation.NewFromAppsTransport(atr, id)
	return t.tr, nil
}

// lookUp finds the App's installation on the packaging repository.
func (t *Tokens) lookUp(ctx context.Context, atr *ghinstallation.AppsTransport) (int64, error) {
	url := fmt.Sprintf("%s/repos/%s/installation", t.opts.BaseURL, t.opts.Repo)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := (&http.Client{Transport: atr}).Do(req)
	if err != nil {
		return 0, fmt.Errorf("GitHub App %d: looking up its installation on %s: %w", t.opts.AppID, t.opts.Repo, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GitHub App %d: looking up its installation on %s: %s (is the App installed there?)", t.opts.AppID, t.opts.Repo, resp.Status)
	}
	var inst struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&inst); err != nil || inst.ID <= 0 {
		return 0, fmt.Errorf("GitHub App %d: looking up its installation on %s: no installation id in GitHub's answer", t.opts.AppID, t.opts.Repo)
	}
	return inst.ID, nil
}
