# DNS and the end-to-end health check. Route 53 is global; the health check's metrics, its alarm and
# the alarm's topic are in us-east-1, so call this module with a us-east-1 provider.
#
# The apex and www records alias the CloudFront distribution. AWS rejects evaluate_target_health = true
# for CloudFront targets, so the distribution's health is evaluated by the HTTPS health check below;
# the origin record, which CloudFront resolves, aliases the load balancer with evaluate_target_health.

resource "aws_route53_record" "site" {
  for_each = toset(["", "www."])
  zone_id  = var.zone_id
  name     = "${each.key}${var.domain_name}"
  type     = "A"

  alias {
    name                   = var.cloudfront_domain_name
    zone_id                = var.cloudfront_hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "origin" {
  zone_id = var.zone_id
  name    = "origin.${var.domain_name}"
  type    = "A"

  alias {
    name                   = var.alb_dns_name
    zone_id                = var.alb_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_health_check" "site" {
  fqdn              = var.domain_name
  type              = "HTTPS"
  port              = 443
  resource_path     = "/health"
  request_interval  = 30
  failure_threshold = 3
  enable_sni        = true
  tags              = merge(var.tags, { Name = "${var.name}-site" })
}

resource "aws_sns_topic" "health" {
  name              = "${var.name}-health-alerts"
  kms_master_key_id = "alias/aws/sns"
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "health_email" {
  topic_arn = aws_sns_topic.health.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_cloudwatch_metric_alarm" "health" {
  alarm_name          = "${var.name}-site-health"
  alarm_description   = "https://${var.domain_name}/health fails the Route 53 health check"
  namespace           = "AWS/Route53"
  metric_name         = "HealthCheckStatus"
  statistic           = "Minimum"
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  period              = 60
  evaluation_periods  = 1
  dimensions          = { HealthCheckId = aws_route53_health_check.site.id }
  alarm_actions       = [aws_sns_topic.health.arn]
  ok_actions          = [aws_sns_topic.health.arn]
  tags                = var.tags
}
