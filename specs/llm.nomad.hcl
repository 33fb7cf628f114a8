# An LLM inference server on the GPU node: HTTP for the OpenAI-style API and
# gRPC for internal clients. Models are read from shared storage.
job "llm" {
  datacenters = ["home"]
  type        = "service"

  constraint {
    attribute = "${attr.cpu.arch}"
    value     = "amd64"
  }

  group "llm" {
    count = 1

    network {
      mode = "bridge"
      port "http" {
        to = 8000
      }
      port "grpc" {
        to = 8001
      }
    }

    volume "models" {
      type            = "csi"
      source          = "glusterfs_llm_models"
      read_only       = true
      attachment_mode = "file-system"
      access_mode     = "multi-node-reader-only"
    }

    service {
      name     = "llm"
      port     = "http"
      provider = "consul"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.llm.rule=Host(`llm.example.org`)",
        "traefik.http.routers.llm.entrypoints=websecure",
        "traefik.http.routers.llm.middlewares=oauth-auth@docker",
      ]

      check {
        name     = "http-port"
        type     = "tcp"
        port     = "http"
        interval = "10s"
        timeout  = "2s"
      }
    }

    service {
      name     = "llm-grpc"
      port     = "grpc"
      provider = "consul"

      check {
        name         = "grpc-health"
        type         = "grpc"
        port         = "grpc"
        grpc_service = "inference.GRPCInferenceService"
        interval     = "15s"
        timeout      = "3s"
      }
    }

    task "server" {
      driver = "docker"

      config {
        image    = "nvcr.io/nvidia/tritonserver:24.08-py3"
        ports    = ["http", "grpc"]
        command  = "tritonserver"
        args     = ["--model-repository=/models", "--http-port=8000", "--grpc-port=8001"]
        shm_size = 1073741824
      }

      volume_mount {
        volume      = "models"
        destination = "/models"
        read_only   = true
      }

      env {
        NVIDIA_DRIVER_CAPABILITIES = "compute,utility"
      }

      resources {
        cpu        = 2000
        memory     = 8192
        memory_max = 12288

        device "nvidia/gpu" {
          count = 1
        }
      }

      kill_timeout = "30s"
    }
  }
}
