package health

import "github.com/cams-exporter/cams_exporter/refresh"

// headerExtras adds details to the status page's header, and spaceExtras
// to a space's row, shown under its categories: where data a collector
// adds beside the flow counts (flow status, ...) is shown to people. /status's
// JSON gains such data as fields of Status and SpaceStatus.
func (Checker) headerExtras(*refresh.Snapshot) []Detail { return nil }

func (Checker) spaceExtras(*refresh.SpaceState) []Detail { return nil }
