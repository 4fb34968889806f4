environment           = "dev"
vpc_cidr              = "10.0.0.0/16"
azs                   = ["ap-south-1a", "ap-south-1b"]
public_subnet_cidrs   = ["10.0.1.0/24", "10.0.2.0/24"]
private_subnet_cidrs  = ["10.0.10.0/24", "10.0.11.0/24"]
database_subnet_cidrs = ["10.0.20.0/24", "10.0.21.0/24"]
nat_gateway_per_az    = false

instance_type        = "t3.micro"
asg_min_size         = 1
asg_max_size         = 2
asg_desired_capacity = 1
key_name             = "ecia-dev-key"
ssh_allowed_cidrs    = ["205.254.163.158/32"]

db_instance_class = "db.t3.micro"
db_multi_az       = false
db_name           = "appdb_dev"

alert_email = "ops-alerts@ecia.example.com"
