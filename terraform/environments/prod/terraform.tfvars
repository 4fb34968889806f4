environment           = "prod"
vpc_cidr              = "10.1.0.0/16"
azs                   = ["ap-south-1a", "ap-south-1b", "ap-south-1c"]
public_subnet_cidrs   = ["10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"]
private_subnet_cidrs  = ["10.1.10.0/24", "10.1.11.0/24", "10.1.12.0/24"]
database_subnet_cidrs = ["10.1.20.0/24", "10.1.21.0/24", "10.1.22.0/24"]
nat_gateway_per_az    = true

instance_type        = "t3.small"
asg_min_size         = 2
asg_max_size         = 8
asg_desired_capacity = 3
key_name             = "ecia-prod-key"
ssh_allowed_cidrs    = ["205.254.163.158/32"]

db_instance_class = "db.t3.small"
db_multi_az       = true
db_name           = "appdb"

acm_certificate_arn        = "arn:aws:acm:ap-south-1:123456789012:certificate/0f4e2a7c-5b1d-4c8e-9a36-2d7f1e8b4c90"
cloudfront_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/7c1d9e52-3a8b-4f06-b2e4-8d5a6c0f1e37"
domain_name                = "ecia.example.com"
hosted_zone_id             = "Z0123456789ABCDEFGHIJ"
app_cors_origins           = ["https://ecia.example.com", "https://www.ecia.example.com"]

alert_email = "ops-alerts@ecia.example.com"
