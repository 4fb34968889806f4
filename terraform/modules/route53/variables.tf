variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "zone_id" {
  description = "Public hosted zone of domain_name."
  type        = string
}

variable "domain_name" {
  description = "The site's apex domain; www.<domain> and origin.<domain> are created beside it."
  type        = string
}

variable "cloudfront_domain_name" {
  description = "Domain name of the CloudFront distribution."
  type        = string
}

variable "cloudfront_hosted_zone_id" {
  description = "Hosted zone of the CloudFront distribution."
  type        = string
}

variable "alb_dns_name" {
  description = "DNS name of the load balancer (the CloudFront origin)."
  type        = string
}

variable "alb_zone_id" {
  description = "Hosted zone of the load balancer."
  type        = string
}

variable "alert_email" {
  description = "Address subscribed to the health alerts topic."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
