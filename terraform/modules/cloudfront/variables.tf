variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "origin_domain_name" {
  description = "Domain name CloudFront connects to: the load balancer's, or a name whose certificate it holds."
  type        = string
}

variable "origin_https" {
  description = "Connect to the origin over HTTPS only (the load balancer has a certificate for origin_domain_name)."
  type        = bool
}

variable "web_acl_arn" {
  description = "WAF v2 web ACL (CLOUDFRONT scope)."
  type        = string
}

variable "aliases" {
  description = "Alternate domain names; they need certificate_arn."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 for the aliases; null uses the *.cloudfront.net certificate."
  type        = string
  default     = null
  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.certificate_arn))
    error_message = "CloudFront needs a certificate from ACM in us-east-1."
  }
}

variable "price_class" {
  description = "Edge locations served (PriceClass_200 includes India)."
  type        = string
  default     = "PriceClass_200"
}

variable "tags" {
  description = "Tags added to the distribution."
  type        = map(string)
  default     = {}
}
