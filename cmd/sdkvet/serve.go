package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"golang.org/x/time/rate"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/server/vetting"
)

// storeFlags select the service's data directory and database.
type storeFlags struct {
	data        string
	databaseURL string
}

func (f *storeFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.data, "data", "", "data directory: SQLite database, package files (required)")
	// The environment is read when the command runs, not as the flag's
	// default: help output would print the URL, password included.
	c.Flags().StringVar(&f.databaseURL, "database-url", "", "PostgreSQL URL (postgres://…) instead of SQLite (default $SDKVET_DATABASE_URL)")
}

// url is the PostgreSQL URL from --database-url or $SDKVET_DATABASE_URL.
func (f *storeFlags) url() string {
	if f.databaseURL == "" {
		f.databaseURL = os.Getenv("SDKVET_DATABASE_URL")
	}
	return f.databaseURL
}

func (f *storeFlags) open(ctx context.Context) (store.Store, error) {
	if f.data == "" && f.url() == "" {
		return nil, usage("--data DIR is required")
	}
	if f.data != "" {
		if err := os.MkdirAll(f.data, 0o700); err != nil {
			return nil, usage("data directory: %v", err)
		}
	}
	st, err := server.OpenStore(ctx, server.Config{DataDir: f.data, DatabaseURL: f.url()})
	if err != nil {
		return nil, usage("%v", err)
	}
	return st, nil
}

func newServeCmd(g *globalFlags) *cobra.Command {
	var (
		sf        storeFlags
		addr      string
		workers   int
		maxUpload string
		rateLimit float64
		rateBurst int
		insecure  bool
		tlsCert   string
		tlsKey    string
		delay     time.Duration
	)
	limits, sb := walk.DefaultLimits(), sandbox.DefaultLimits()
	cmd := &cobra.Command{
		Use:   "serve --data DIR [--addr 127.0.0.1:8080]",
		Short: "Run the vetting service: web pages, REST API and scan workers",
		Long: `Run the vetting service. It needs no other set-up: an SQLite database and
the uploaded packages live in --data DIR (--database-url uses PostgreSQL).
Create the first admin with 'sdkvet user add NAME --role admin'; API tokens
with 'sdkvet token create NAME --role reviewer'.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			log, err := g.logger()
			if err != nil {
				return usage("%v", err)
			}
			if sf.data == "" {
				return usage("--data DIR is required")
			}
			max, err := humanize.ParseBytes(maxUpload)
			if err != nil || max == 0 || max > 1<<50 {
				return usage("--max-upload %q: want a size such as 4GB", maxUpload)
			}
			if workers <= 0 || rateLimit <= 0 || rateBurst <= 0 {
				return usage("--workers, --rate-limit and --rate-burst must be positive")
			}
			if (tlsCert == "") != (tlsKey == "") {
				return usage("--tls-cert and --tls-key go together")
			}
			if err := os.MkdirAll(sf.data, 0o700); err != nil {
				return usage("data directory: %v", err)
			}
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv, err := server.New(ctx, server.Config{DataDir: sf.data, DatabaseURL: sf.url(), Workers: workers, MaxUpload: int64(max),
				Judge: judge.Options{Limits: limits, Sandbox: sb}, RateLimit: rate.Limit(rateLimit), RateBurst: rateBurst,
				InsecureCookies: insecure, ScanDelay: delay, Log: log})
			if err != nil {
				return usage("%v", err)
			}
			defer srv.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usage("listen: %v", err)
			}
			if err := srv.Start(ctx); err != nil {
				return usage("%v", err)
			}
			hs := srv.HTTPServer(addr)
			scheme := "http"
			if tlsCert != "" {
				scheme = "https"
			} else if !insecure && !loopback(ln.Addr()) {
				fmt.Fprintln(c.ErrOrStderr(), "sdkvet: warning: plain HTTP on a non-loopback address; browsers keep the Secure session cookie only over HTTPS (use --tls-cert/--tls-key or a TLS proxy)")
			}
			fmt.Fprintf(c.ErrOrStderr(), "sdkvet: serving on %s://%s (data %s, %d workers)\n", scheme, ln.Addr(), sf.data, workers)
			errc := make(chan error, 1)
			go func() {
				if tlsCert != "" {
					errc <- hs.ServeTLS(ln, tlsCert, tlsKey)
					return
				}
				errc <- hs.Serve(ln)
			}()
			select {
			case err := <-errc:
				if !errors.Is(err, http.ErrServerClosed) {
					return usage("serve: %v", err)
				}
			case <-ctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := hs.Shutdown(sctx); err != nil {
					hs.Close() // uploads still arriving: their scans were never accepted
				}
			}
			return nil
		},
	}
	sf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	fl.IntVar(&workers, "workers", runtime.NumCPU(), "scans run at once")
	fl.StringVar(&maxUpload, "max-upload", "4GB", "largest package accepted")
	fl.Float64Var(&rateLimit, "rate-limit", float64(server.DefaultRate), "requests per second allowed to each token or user")
	fl.IntVar(&rateBurst, "rate-burst", server.DefaultBurst, "requests a token or user may send at once above the rate")
	fl.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file")
	fl.StringVar(&tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	fl.BoolVar(&insecure, "insecure-cookies", false, "send the session cookie without the Secure attribute (plain-HTTP development only)")
	fl.DurationVar(&limits.MaxTime, "max-time", limits.MaxTime, "maximum wall time for one package")
	fl.Int64Var(&limits.MaxTotal, "max-total", limits.MaxTotal, "maximum inflated bytes of one package")
	fl.DurationVar(&delay, "scan-delay", 0, "hold each scan back this long before it starts (testing)")
	fl.MarkHidden("scan-delay")
	return cmd
}

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage the people who sign in to the vetting service"}
	var sf storeFlags
	var role string
	add := &cobra.Command{
		Use:   "add NAME --role admin|reviewer|viewer --data DIR",
		Short: "Add a user; the password is read from standard input (or prompted for twice)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if err := checkNameAndRole("user", name, role); err != nil {
				return err
			}
			pw, err := readPassword(c.InOrStdin(), c.ErrOrStderr())
			if err != nil {
				return usage("%v", err)
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return usage("%v", err)
			}
			st, err := sf.open(c.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.CreateUser(c.Context(), store.User{Name: name, Role: role, PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
				return usage("%v", err)
			}
			fmt.Fprintf(c.OutOrStdout(), "added user %s (%s)\n", name, role)
			return nil
		},
	}
	sf.register(add)
	add.Flags().StringVar(&role, "role", "", "admin, reviewer or viewer (required)")
	cmd.AddCommand(add, newUserPasswdCmd())
	return cmd
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens of the vetting service"}
	var sf storeFlags
	var role string
	create := &cobra.Command{
		Use:   "create NAME --role admin|reviewer|viewer --data DIR",
		Short: "Create an API token and print it once (only its hash is stored)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if err := checkNameAndRole("token", name, role); err != nil {
				return err
			}
			st, err := sf.open(c.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			tok, hash := auth.NewToken()
			if err := st.CreateToken(c.Context(), store.Token{ID: newTokenID(), Name: name, Role: role, Hash: hash, CreatedAt: time.Now()}); err != nil {
				return usage("%v", err)
			}
			fmt.Fprintln(c.OutOrStdout(), tok)
			return nil
		},
	}
	sf.register(create)
	create.Flags().StringVar(&role, "role", "", "admin, reviewer or viewer (required)")
	cmd.AddCommand(create, newTokenListCmd(), newTokenRevokeCmd())
	return cmd
}

// newTokenID is a token's public id: random, unrelated to the token or
// its hash.
func newTokenID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// cliActor names the command line in the audit log.
const cliActor = "cli"

// audit records a change made from the command line.
func audit(ctx context.Context, st store.Store, e func(version int64) store.AuditEntry) error {
	var version int64
	if cur, err := st.CurrentSettings(ctx); err == nil {
		version = cur.Version
	}
	if _, err := st.AddAudit(ctx, e(version)); err != nil {
		return usage("%v", err)
	}
	return nil
}

func newTokenListCmd() *cobra.Command {
	var sf storeFlags
	list := &cobra.Command{
		Use:   "list --data DIR",
		Short: "List the API tokens: id, name, role, when created and last used (never the secret)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			st, err := sf.open(c.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			ts, err := st.ListTokens(c.Context())
			if err != nil {
				return usage("%v", err)
			}
			tw := tabwriter.NewWriter(c.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tLAST USED")
			for _, t := range ts {
				used := "never"
				if !t.LastUsedAt.IsZero() {
					used = t.LastUsedAt.Local().Format(time.DateTime)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Local().Format(time.DateTime), used)
			}
			return tw.Flush()
		},
	}
	sf.register(list)
	return list
}

func newTokenRevokeCmd() *cobra.Command {
	var sf storeFlags
	revoke := &cobra.Command{
		Use:   "revoke ID|NAME --data DIR",
		Short: "Revoke an API token by id, or by name when one token has it; refused from the next request on",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			ts, err := st.ListTokens(ctx)
			if err != nil {
				return usage("%v", err)
			}
			id, err := pickToken(ts, args[0])
			if err != nil {
				return err
			}
			t, err := st.DeleteToken(ctx, id)
			if err != nil {
				return usage("%v", err)
			}
			if err := audit(ctx, st, func(v int64) store.AuditEntry { return vetting.RevokeAudit(t, cliActor, time.Now(), v) }); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "revoked token %s (id %s, %s)\n", t.Name, t.ID, t.Role)
			return nil
		},
	}
	sf.register(revoke)
	return revoke
}

// pickToken finds the token an argument names: an id first, else the one
// token of that name.
func pickToken(ts []store.Token, arg string) (string, error) {
	var ids []string
	for _, t := range ts {
		if t.ID == arg {
			return t.ID, nil
		}
		if t.Name == arg {
			ids = append(ids, t.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", usage("no token has the id or name %q (see 'sdkvet token list')", arg)
	case 1:
		return ids[0], nil
	}
	return "", usage("%d tokens are named %q (ids %s); revoke one by its id", len(ids), arg, strings.Join(ids, ", "))
}

func newUserPasswdCmd() *cobra.Command {
	var sf storeFlags
	passwd := &cobra.Command{
		Use:   "passwd NAME --data DIR",
		Short: "Change a user's password (from standard input, or prompted for twice) and end the user's sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if !validName(name) {
				return usage("user name %q: use 1 to 64 letters, digits, '.', '_', '-' or '@'", name)
			}
			ctx := c.Context()
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.GetUser(ctx, name); err != nil {
				return usage("user %s: %v", name, err)
			}
			pw, err := readPassword(c.InOrStdin(), c.ErrOrStderr())
			if err != nil {
				return usage("%v", err)
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return usage("%v", err)
			}
			n, err := st.SetPassword(ctx, name, hash)
			if err != nil {
				return usage("%v", err)
			}
			if err := audit(ctx, st, func(v int64) store.AuditEntry { return vetting.PasswordAudit(name, cliActor, n, time.Now(), v) }); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "changed the password of %s; %d sessions ended\n", name, n)
			return nil
		},
	}
	sf.register(passwd)
	return passwd
}

// loopback reports whether a listener's address is a loopback address.
func loopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// checkNameAndRole checks the name and --role of a new user or token.
func checkNameAndRole(what, name, role string) error {
	if !validName(name) {
		return usage("%s name %q: use 1 to 64 letters, digits, '.', '_', '-' or '@'", what, name)
	}
	if _, err := auth.ParseRole(role); err != nil {
		return usage("--role: %v", err)
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return false
		}
	}
	return true
}

// readPassword prompts twice on a terminal, else reads one line.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(prompt, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
