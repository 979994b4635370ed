package main

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

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
	templatesPerSpace            int
	seed                         int64
	data                         string
	rateLimit                    float64
	operationRates               map[string]string
}

func addSimulateCommand(app *kingpin.Application) *simulateCommand {
	c := &simulateCommand{name: "simulate", operationRates: map[string]string{}}
	cmd := app.Command(c.name, "Run a local CAMS simulator (ListFlow, GetFlow, ListInstance, QueryChatappPhoneNumbers, QueryChatappBindWaba, GetWhatsappHealthStatus and ListChatappTemplate with signatures, paging, each operation's calls/s limit, error codes and fault injection under /-/).")
	cmd.Flag("simulator.listen-address", "Address to listen on.").Default("127.0.0.1:9950").StringVar(&c.listen)
	cmd.Flag("simulator.access-key-id", "AccessKeyId the simulator accepts.").Default(simulator.DefaultAccessKeyID).StringVar(&c.accessKeyID)
	cmd.Flag("simulator.access-key-secret", "AccessKeySecret the simulator accepts.").Default(simulator.DefaultAccessKeySecret).StringVar(&c.accessKeySecret)
	cmd.Flag("simulator.security-token", "Require this STS security token (x-acs-security-token).").StringVar(&c.securityToken)
	cmd.Flag("simulator.spaces", "Number of generated sub-customer spaces.").Default("5").IntVar(&c.spaces)
	cmd.Flag("simulator.flows-per-space", "Average number of generated flows per space.").Default("12").IntVar(&c.flowsPerSpace)
	cmd.Flag("simulator.templates-per-space", "Number of generated message templates per space with a WABA (ListChatappTemplate); 0 for none.").Default("0").IntVar(&c.templatesPerSpace)
	cmd.Flag("simulator.seed", "Seed of the generated data.").Default("1").Int64Var(&c.seed)
	cmd.Flag("simulator.data", "JSON data set to serve instead of generated data (see README).").StringVar(&c.data)
	cmd.Flag("simulator.rate-limit", "Accepted calls per second per AccessKeyId of ListFlow, and of GetFlow.").Default("5").Float64Var(&c.rateLimit)
	cmd.Flag("simulator.operation-rate-limit", "Accepted calls per second per AccessKeyId of one operation, as OPERATION=RATE (repeatable); the defaults are the documented ones: QueryChatappPhoneNumbers=10, QueryChatappBindWaba=10, GetWhatsappHealthStatus=5, ListChatappTemplate=5 (ListFlow and GetFlow: --simulator.rate-limit).").PlaceHolder("OPERATION=RATE").StringMapVar(&c.operationRates)
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
	rates, err := operationRates(c.operationRates)
	if err != nil {
		return cfg, err
	}
	cfg.Rates = rates
	switch {
	case c.rateLimit <= 0:
		return cfg, fmt.Errorf("--simulator.rate-limit must be above 0, got %g", c.rateLimit)
	case c.spaces < 0 || c.spaces > 100000:
		return cfg, fmt.Errorf("--simulator.spaces must be between 0 and 100000, got %d", c.spaces)
	case c.flowsPerSpace < 0 || c.flowsPerSpace > 10000:
		return cfg, fmt.Errorf("--simulator.flows-per-space must be between 0 and 10000, got %d", c.flowsPerSpace)
	case c.templatesPerSpace < 0 || c.templatesPerSpace > simulator.MaxGeneratedTemplates:
		return cfg, fmt.Errorf("--simulator.templates-per-space must be between 0 and %d, got %d", simulator.MaxGeneratedTemplates, c.templatesPerSpace)
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
	simulator.AddTemplates(c.seed, cfg.Data, c.templatesPerSpace)
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

// operationRates reads --simulator.operation-rate-limit: each operation
// that has a bucket of its own, with a rate above 0.
func operationRates(flag map[string]string) (map[string]float64, error) {
	rates := map[string]float64{}
	for op, raw := range flag {
		if _, ok := simulator.DocumentedRates[op]; !ok {
			return nil, fmt.Errorf("--simulator.operation-rate-limit: %q has no limit of its own (want one of %s)", op, strings.Join(slices.Sorted(maps.Keys(simulator.DocumentedRates)), ", "))
		}
		rate, err := strconv.ParseFloat(raw, 64)
		if err != nil || !(rate > 0) || math.IsInf(rate, 0) {
			return nil, fmt.Errorf("--simulator.operation-rate-limit: the rate of %s must be a number above 0, got %q", op, raw)
		}
		rates[op] = rate
	}
	return rates, nil
}
