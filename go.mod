module github.com/cams-exporter/cams_exporter

go 1.26.8

require (
	github.com/aliyun/credentials-go v1.4.14
	golang.org/x/time v0.16.0
)

require (
	github.com/alibabacloud-go/debug v1.0.1 // indirect
	github.com/alibabacloud-go/tea v1.5.3 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.2 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
	golang.org/x/net v0.59.0 // indirect
	gopkg.in/ini.v1 v1.67.0 // indirect
)
