environment           = "staging"
vpc_cidr              = "10.2.0.0/16"
azs                   = ["ap-south-1a", "ap-south-1b"]
public_subnet_cidrs   = ["10.2.1.0/24", "10.2.2.0/24"]
private_subnet_cidrs  = ["10.2.10.0/24", "10.2.11.0/24"]
database_subnet_cidrs = ["10.2.20.0/24", "10.2.21.0/24"]
nat_gateway_per_az    = false

instance_type        = "t3.small"
asg_min_size         = 1
asg_max_size         = 3
asg_desired_capacity = 2
key_name             = "ecia-staging-key"
ssh_allowed_cidrs    = ["205.254.163.158/32"]

db_instance_class = "db.t3.micro"
db_multi_az       = false
db_name           = "appdb_staging"

alert_email = "ops-alerts@ecia.example.com"
