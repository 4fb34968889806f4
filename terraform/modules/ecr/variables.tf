variable "repository_name" {
  description = "Name of the image repository."
  type        = string
}

variable "keep_images" {
  description = "Images kept; older ones expire."
  type        = number
  default     = 30
  validation {
    condition     = var.keep_images >= 1
    error_message = "keep_images must be at least 1."
  }
}

variable "tags" {
  description = "Tags added to the repository."
  type        = map(string)
  default     = {}
}
