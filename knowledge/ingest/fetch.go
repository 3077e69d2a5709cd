package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Fetcher downloads pages and feeds over HTTP(S) with a timeout, a size cap,
// a redirect limit and an honest User-Agent.
type Fetcher struct {
	Client    *http.Client
	UserAgent string
	MaxBytes  int64
}

// FetcherOptions configure NewFetcher.
type FetcherOptions struct {
	Timeout      time.Duration // whole request; default 20 s
	MaxBytes     int64         // body cap; default 10 MiB
	MaxRedirects int           // default 5
	UserAgent    string
	// PublicOnly refuses loopback, private, link-local, multicast and
	// unspecified addresses (cloud metadata among them), checked on the
	// resolved address of every connection, so redirects are covered too.
	// Set it for URLs that come from chat users.
	PublicOnly bool
	// Allowed, when set with PublicOnly, replaces IsPublicAddr as the test
	// of an address (tests use it to call one loopback address public).
	Allowed func(netip.Addr) bool
}

// DefaultUserAgent names the bot to the sites it reads.
const DefaultUserAgent = "Attache/0.1 (+https://github.com/attache-bot/attache; diplomatic news briefing bot)"

// NewFetcher returns a Fetcher with the given options.
func NewFetcher(o FetcherOptions) *Fetcher {
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if o.PublicOnly {
		allowed := o.Allowed
		if allowed == nil {
			allowed = IsPublicAddr
		}
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !allowed(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       60 * time.Second,
	}
	if o.PublicOnly {
		tr.Proxy = nil // a proxy would hide the real destination from the check
	}
	maxRedirects := o.MaxRedirects
	return &Fetcher{
		Client: &http.Client{
			Timeout:   o.Timeout,
			Transport: tr,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) > maxRedirects {
					return fmt.Errorf("more than %d redirects", maxRedirects)
				}
				if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
					return fmt.Errorf("redirect to a %s: URL refused", req.URL.Scheme)
				}
				return nil
			},
		},
		UserAgent: o.UserAgent,
		MaxBytes:  o.MaxBytes,
	}
}

// ErrForbiddenAddress is returned for a URL that resolves to an address a
// public-only Fetcher must not reach.
var ErrForbiddenAddress = errors.New("address is not a public internet address")

// IsPublicAddr reports whether ip is a globally routable unicast address.
func IsPublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("fc00::/7"),
}

// Response is a fetched document.
type Response struct {
	URL          string // after redirects
	ContentType  string
	Body         []byte
	ETag         string
	LastModified string
	NotModified  bool // a conditional request answered 304
}

// Get fetches rawURL. etag and lastModified, when set, make the request
// conditional. Non-2xx answers (other than 304) are errors.
func (f *Fetcher) Get(ctx context.Context, rawURL, etag, lastModified string) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", f.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return nil, fetchError(err)
	}
	defer resp.Body.Close()
	out := &Response{
		URL:          resp.Request.URL.String(),
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		return out, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if resp.ContentLength > f.MaxBytes {
		return nil, fmt.Errorf("document is %d bytes, over the %d-byte limit", resp.ContentLength, f.MaxBytes)
	}
	out.Body, err = io.ReadAll(io.LimitReader(resp.Body, f.MaxBytes+1))
	if err != nil {
		return nil, fetchError(err)
	}
	if int64(len(out.Body)) > f.MaxBytes {
		return nil, fmt.Errorf("document is over the %d-byte limit", f.MaxBytes)
	}
	return out, nil
}

// fetchError shortens transport errors to what a reader needs.
func fetchError(err error) error {
	if errors.Is(err, ErrForbiddenAddress) {
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("refused: %s resolves to a non-public address", redactURL(ue.URL))
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

// redactURL drops credentials and query from a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the URL"
	}
	u.User = nil
	u.RawQuery = ""
	return strings.TrimSuffix(u.String(), "?")
}
