package server

import _ "embed"

// OpenAPI is the OpenAPI 3 description of the REST API (openapi.yaml).
//
//go:embed openapi.yaml
var OpenAPI []byte
