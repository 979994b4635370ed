package client

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// DefaultRegion is the only region with a published CAMS endpoint.
const DefaultRegion = "ap-southeast-1"

var regionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// ResolveEndpoint returns the base URL of the API: endpoint when it is given
// (a URL, or a bare host that gets https://), else cams.<region>.aliyuncs.com.
// A plain http:// endpoint must be a loopback address unless allowInsecure,
// so that credentials and signatures never cross a network unencrypted by
// mistake.
func ResolveEndpoint(region, endpoint string, allowInsecure bool) (*url.URL, error) {
	if endpoint == "" {
		if region == "" {
			region = DefaultRegion
		}
		if !regionPattern.MatchString(region) {
			return nil, fmt.Errorf("region %q is not a region id such as %s", region, DefaultRegion)
		}
		return &url.URL{Scheme: "https", Host: "cams." + region + ".aliyuncs.com", Path: "/"}, nil
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q is not a URL: want https://host[:port]", endpoint)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("endpoint %q: scheme must be http or https", endpoint)
	case u.Hostname() == "":
		return nil, fmt.Errorf("endpoint %q has no host", endpoint)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return nil, fmt.Errorf("endpoint %q: want only scheme, host and port", endpoint)
	case u.Scheme == "http" && !allowInsecure && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("endpoint %q is plain http to a non-loopback host; use https, or allow it with --cams.insecure-endpoint", endpoint)
	}
	u.Path = "/"
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
