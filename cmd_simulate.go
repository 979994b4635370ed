package main

import (
	"context"
	"fmt"
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/cams-exporter/cams_exporter/simulator"
)

// simulateCommand runs the CAMS simulator standalone.
type simulateCommand struct {
	name                         string
	listen                       string
	accessKeyID, accessKeySecret string
	securityToken                string
	spaces, flowsPerSpace        int
	seed                         int64
	data                         string
	rateLimit                    float64
}

func addSimulateCommand(app *kingpin.Application) *simulateCommand {
	c := &simulateCommand{name: "simulate"}
	cmd := app.Command(c.name, "Run a local CAMS simulator (ListFlow, GetFlow and ListInstance with signatures, paging, the 5 calls/s limit, error codes and fault injection under /-/).")
	cmd.Flag("simulator.listen-address", "Address to listen on.").Default("127.0.0.1:9950").StringVar(&c.listen)
	cmd.Flag("simulator.access-key-id", "AccessKeyId the simulator accepts.").Default(simulator.DefaultAccessKeyID).StringVar(&c.accessKeyID)
	cmd.Flag("simulator.access-key-secret", "AccessKeySecret the simulator accepts.").Default(simulator.DefaultAccessKeySecret).StringVar(&c.accessKeySecret)
	cmd.Flag("simulator.security-token", "Require this STS security token (x-acs-security-token).").StringVar(&c.securityToken)
	cmd.Flag("simulator.spaces", "Number of generated sub-customer spaces.").Default("5").IntVar(&c.spaces)
	cmd.Flag("simulator.flows-per-space", "Average number of generated flows per space.").Default("12").IntVar(&c.flowsPerSpace)
	cmd.Flag("simulator.seed", "Seed of the generated data.").Default("1").Int64Var(&c.seed)
	cmd.Flag("simulator.data", "JSON data set to serve instead of generated data (see README).").StringVar(&c.data)
	cmd.Flag("simulator.rate-limit", "Accepted calls per second per AccessKeyId.").Default("5").Float64Var(&c.rateLimit)
	return c
}

func (c *simulateCommand) run(ctx context.Context) int {
	cfg, err := c.config()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter simulate: error: %v\n", err)
		return 1
	}
	sim, err := simulator.New(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter simulate: error: %v\n", err)
		return 1
	}
	url, err := sim.Start(c.listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter simulate: error: cannot listen on --simulator.listen-address %s: %v\n", c.listen, err)
		return 1
	}
	fmt.Printf("CAMS simulator listening on %s\n", url)
	fmt.Printf("  endpoint:        --cams.endpoint=%s\n", url)
	fmt.Printf("  credentials:     ALIBABA_CLOUD_ACCESS_KEY_ID=%s ALIBABA_CLOUD_ACCESS_KEY_SECRET=<the --simulator.access-key-secret value>\n", cfg.AccessKeyID)
	if cfg.SecurityToken != "" {
		fmt.Printf("                   ALIBABA_CLOUD_SECURITY_TOKEN=<the --simulator.security-token value>\n")
	}
	fmt.Printf("  spaces:          %s\n", spaceList(sim.Dataset()))
	fmt.Printf("  fault injection: curl -X POST %s/-/faults -d '{\"kind\":\"error\",\"code\":\"Ram.PermissionDeny\"}'\n", url)
	<-ctx.Done()
	_ = sim.Close()
	return 0
}

func (c *simulateCommand) config() (simulator.Config, error) {
	cfg := simulator.Config{AccessKeyID: c.accessKeyID, AccessKeySecret: c.accessKeySecret, SecurityToken: c.securityToken, RateLimit: c.rateLimit}
	switch {
	case c.rateLimit <= 0:
		return cfg, fmt.Errorf("--simulator.rate-limit must be above 0, got %g", c.rateLimit)
	case c.spaces < 0 || c.spaces > 100000:
		return cfg, fmt.Errorf("--simulator.spaces must be between 0 and 100000, got %d", c.spaces)
	case c.flowsPerSpace < 0 || c.flowsPerSpace > 10000:
		return cfg, fmt.Errorf("--simulator.flows-per-space must be between 0 and 10000, got %d", c.flowsPerSpace)
	}
	if c.data != "" {
		d, err := simulator.LoadDataset(c.data)
		if err != nil {
			return cfg, fmt.Errorf("--simulator.data: %v", err)
		}
		cfg.Data = d
		return cfg, nil
	}
	cfg.Data = simulator.Generate(c.seed, c.spaces, c.flowsPerSpace)
	return cfg, nil
}

// spaceList names the spaces, the own one as "" and at most ten.
func spaceList(d *simulator.Dataset) string {
	var s string
	for i, sp := range d.Spaces {
		if i == 10 {
			return s + fmt.Sprintf(" and %d more", len(d.Spaces)-10)
		}
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%q", sp.ID)
	}
	return s
}
