package ghfake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// App is a GitHub App installed on some repositories, for the endpoints
// an App's installation tokens come from.
type App struct {
	ID int64
	// PublicKey checks the App's JWTs (RS256), as GitHub does with the key
	// the App registered.
	PublicKey *rsa.PublicKey
	// Installation is the installation's ID; Repos the repositories it is
	// installed on ("owner/name").
	Installation int64
	Repos        []string
	// TokenTTL is how long an installation token lasts; 0 is GitHub's hour.
	TokenTTL time.Duration
}

const (
	docsInstallation = "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app"
	docsAccessTokens = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"
)

// AddApp makes app known: its JWTs are accepted by the installation
// endpoints, and the tokens they mint by every other.
func (s *Server) AddApp(app App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if app.TokenTTL == 0 {
		app.TokenTTL = time.Hour
	}
	s.apps = append(s.apps, app)
}

// MintedTokens is how many installation tokens have been minted.
func (s *Server) MintedTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.minted)
}

// routeApps answers the App endpoints, and 401 for an installation token
// an App minted that has expired; false when the request is for another
// endpoint with acceptable credentials (tokens the server did not mint
// are taken as they come, as everywhere else).
func (s *Server) routeApps(w http.ResponseWriter, req *http.Request) bool {
	auth := req.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(auth, " ")
	if strings.HasPrefix(cred, "ghs_") && (strings.EqualFold(scheme, "token") || strings.EqualFold(scheme, "bearer")) {
		s.mu.Lock()
		expires, ok := s.minted[cred]
		s.mu.Unlock()
		if ok && !time.Now().Before(expires) {
			WriteError(w, http.StatusUnauthorized, "Bad credentials", docsAuthError)
			return true
		}
		return false
	}
	path := req.URL.Path
	installation := strings.HasPrefix(path, "/repos/") && strings.HasSuffix(path, "/installation") && req.Method == http.MethodGet
	tokens := strings.HasPrefix(path, "/app/installations/") && strings.HasSuffix(path, "/access_tokens") && req.Method == http.MethodPost
	if !installation && !tokens {
		return false
	}
	app, ok := s.appOfJWT(cred)
	if !strings.EqualFold(scheme, "bearer") || !ok {
		WriteError(w, http.StatusUnauthorized, "A JSON web token could not be decoded", docsAuthError)
		return true
	}
	if installation {
		repo := strings.TrimSuffix(strings.TrimPrefix(path, "/repos/"), "/installation")
		if !hasFold(app.Repos, repo) {
			WriteError(w, http.StatusNotFound, "Not Found", docsInstallation)
			return true
		}
		s.jsonAnswer(w, req, map[string]any{
			"id": app.Installation, "app_id": app.ID, "target_type": "Organization",
			"account":              map[string]any{"login": strings.Split(repo, "/")[0], "id": ownerID(strings.Split(repo, "/")[0]), "type": "Organization"},
			"repository_selection": "selected",
			"access_tokens_url":    fmt.Sprintf("%sapp/installations/%d/access_tokens", baseURL(req)+"/", app.Installation),
			"permissions":          map[string]any{"contents": "write", "pull_requests": "write", "metadata": "read"},
			"events":               []any{},
		})
		return true
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "/app/installations/"), "/access_tokens"), 10, 64)
	if err != nil || id != app.Installation {
		WriteError(w, http.StatusNotFound, "Not Found", docsAccessTokens)
		return true
	}
	raw := make([]byte, 18)
	_, _ = rand.Read(raw)
	token := "ghs_" + hex.EncodeToString(raw)
	expires := time.Now().Add(app.TokenTTL).UTC().Truncate(time.Second)
	s.mu.Lock()
	if s.minted == nil {
		s.minted = map[string]time.Time{}
	}
	s.minted[token] = expires
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token": token, "expires_at": expires.Format(time.RFC3339),
		"permissions":          map[string]any{"contents": "write", "pull_requests": "write", "metadata": "read"},
		"repository_selection": "selected",
	})
	return true
}

// appOfJWT checks an App JWT as GitHub does: RS256, signed with a known
// App's key, issued by it (iss), not expired.
func (s *Server) appOfJWT(jwt string) (App, bool) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return App{}, false
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Iss json.RawMessage `json:"iss"`
		Exp int64           `json:"exp"`
	}
	if decodePart(parts[0], &header) != nil || header.Alg != "RS256" || decodePart(parts[1], &claims) != nil {
		return App{}, false
	}
	iss := strings.Trim(string(claims.Iss), `"`)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || time.Now().Unix() >= claims.Exp {
		return App{}, false
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, app := range s.apps {
		if strconv.FormatInt(app.ID, 10) == iss && rsa.VerifyPKCS1v15(app.PublicKey, crypto.SHA256, digest[:], sig) == nil {
			return app, true
		}
	}
	return App{}, false
}

func decodePart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
