package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

// APIVersion is the CAMS API version the client speaks.
const APIVersion = "2020-06-06"

// Defaults of Config.
const (
	DefaultRateLimit  = 4.0
	DefaultMaxRetries = 3
	DefaultTimeout    = 10 * time.Second
	DefaultPageSize   = 20
)

// Config configures a Client. The zero value of each field means its default.
type Config struct {
	Region        string // default ap-southeast-1
	Endpoint      string // explicit URL, overrides Region
	AllowInsecure bool   // allow http:// to a non-loopback host

	Credentials CredentialsProvider // default: credentials-go's default chain
	RateLimit   float64             // ListFlow and ListInstance calls per second for the account; default 4
	// GetFlowRateLimit is GetFlow's calls per second for the account, on a
	// limiter of its own: CAMS limits each operation to 5 calls per second.
	// Default 4.
	GetFlowRateLimit float64
	// Rates holds calls per second for the account by operation (see
	// RateLimitedOperations), each on a limiter of its own; an operation
	// left out, or 0, has its default (DefaultRate). RateLimit and
	// GetFlowRateLimit say the same for ListFlow and GetFlow: both may be
	// given only if they agree.
	Rates map[string]float64

	MaxRetries int           // retries after the first attempt; default 3, negative for none
	Timeout    time.Duration // per attempt; default 10s
	Backoff    Backoff       // default: DefaultBackoff

	HTTPClient *http.Client // default: a client with sane transport timeouts; redirects are never followed
	Observer   Observer     // told of every HTTP attempt; may be nil
	Signer     acs3.Signer  // clock and nonce source; zero value is real
	UserAgent  string       // default "cams_exporter"
}

// Client calls CAMS. It is safe for concurrent use. ListFlow and
// ListInstance calls share one account limiter; every other operation's
// calls wait on one of their own (see LimiterOf).
type Client struct {
	endpoint   *url.URL
	creds      CredentialsProvider
	limiters   map[string]*Limiter // by operation; read-only once made
	maxRetries int
	timeout    time.Duration
	backoff    Backoff
	http       *http.Client
	observer   Observer
	signer     acs3.Signer
	userAgent  string
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	endpoint, err := ResolveEndpoint(cfg.Region, cfg.Endpoint, cfg.AllowInsecure)
	if err != nil {
		return nil, err
	}
	rates, err := cfg.rates()
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("timeout must be positive")
	}
	c := &Client{
		endpoint:   endpoint,
		creds:      cfg.Credentials,
		limiters:   make(map[string]*Limiter, len(rates)),
		maxRetries: cfg.MaxRetries,
		timeout:    orDefault(cfg.Timeout, DefaultTimeout),
		backoff:    cfg.Backoff.withDefaults(),
		http:       cfg.HTTPClient,
		observer:   cfg.Observer,
		signer:     cfg.Signer,
		userAgent:  cfg.UserAgent,
	}
	for op, r := range rates {
		c.limiters[op] = NewLimiter(r)
	}
	if c.creds == nil {
		c.creds = DefaultCredentials()
	}
	switch {
	case cfg.MaxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		c.maxRetries = 0
	}
	if c.http == nil {
		c.http = newHTTPClient()
	} else {
		c.http = withoutRedirects(c.http)
	}
	if c.observer == nil {
		c.observer = ObserverFunc(func(Attempt) {})
	}
	if c.userAgent == "" {
		c.userAgent = "cams_exporter"
	}
	return c, nil
}

// Limiter returns the account limiter ListFlow and ListInstance calls wait on.
func (c *Client) Limiter() *Limiter { return c.LimiterOf(OperationListFlow) }

// Endpoint returns the API's base URL.
func (c *Client) Endpoint() string { return c.endpoint.String() }

func (c *Client) String() string { return fmt.Sprintf("cams client for %s", c.endpoint.Host) }

// Close closes the idle connections the client keeps for reuse.
func (c *Client) Close() { c.http.CloseIdleConnections() }

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	t.ResponseHeaderTimeout = 0 // the per-attempt context bounds the whole call
	t.MaxResponseHeaderBytes = MaxResponseHeaderBytes
	return &http.Client{Transport: t, CheckRedirect: refuseRedirects}
}
