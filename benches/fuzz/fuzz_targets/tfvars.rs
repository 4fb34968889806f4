//! Variable files: the bytes as `terraform.tfvars` for a fixed root that declares and uses
//! variables of every kind of type.
#![no_main]
use libfuzzer_sys::fuzz_target;

const MAIN_TF: &str = r#"
variable "name" {
  type = string
}
variable "size" {
  type    = number
  default = 1
}
variable "enabled" {
  type    = bool
  default = true
}
variable "tags" {
  type    = map(string)
  default = {}
}
variable "zones" {
  type    = list(string)
  default = ["a"]
}
variable "settings" {
  type = object({
    cidr    = string
    private = optional(bool, true)
    ports   = optional(list(number), [])
  })
  default = { cidr = "10.0.0.0/16" }
}
variable "anything" {
  default = null
}
variable "checked" {
  type    = string
  default = "ok"
  validation {
    condition     = length(var.checked) < 10
    error_message = "too long"
  }
}

resource "aws_s3_bucket" "b" {
  count  = var.enabled ? var.size : 0
  bucket = "${var.name}-${count.index}"
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_instance" "i" {
  for_each      = toset(var.zones)
  ami           = "ami-123"
  instance_type = var.anything == null ? "t3.micro" : tostring(var.anything)
  tags          = var.tags
}

resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.settings.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.settings.private ? var.settings.cidr : "0.0.0.0/0"]
    }
  }
}

output "o" {
  value = [var.name, var.size, var.checked]
}
"#;

fuzz_target!(|data: &[u8]| {
    let dir = infracheck_fuzz::scratch("tfvars");
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| std::fs::write(dir.join("main.tf"), MAIN_TF).expect("write"));
    std::fs::write(dir.join("terraform.tfvars"), data).expect("write");
    infracheck_fuzz::scan(dir, &Default::default());
});
