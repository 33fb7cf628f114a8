# A CI runner that picks up jobs from the forge and builds them in a
# Docker-in-Docker daemon beside it. It listens on nothing.
job "ci-runner" {
  datacenters = ["home"]
  type        = "service"

  group "runner" {
    count = 2

    # Never two runners on one node, never on the NAS, only on Linux.
    constraint {
      distinct_hosts = true
    }

    constraint {
      attribute = "${attr.unique.hostname}"
      operator  = "!="
      value     = "nas"
    }

    constraint {
      attribute = "${attr.kernel.name}"
      value     = "linux"
    }

    network {
      mode = "bridge"
    }

    task "dind" {
      driver = "docker"

      lifecycle {
        hook    = "prestart"
        sidecar = true
      }

      config {
        image      = "docker.io/library/docker:27.3-dind"
        privileged = true
        cap_add    = ["NET_ADMIN"]
        args       = ["--host=tcp://127.0.0.1:2375", "--tls=false", "--mtu=1400"]
      }

      env {
        DOCKER_TLS_CERTDIR = ""
      }

      resources {
        cpu        = 1000
        memory     = 1024
        memory_max = 4096
      }
    }

    task "runner" {
      driver = "docker"
      user   = "1000"

      vault {}

      config {
        image = "docker.io/gitlab/gitlab-runner:v17.5.3"
        args  = ["run", "--working-directory", "/home/gitlab-runner", "--config", "/etc/runner/config.toml"]

        # The runner itself needs no privileges; the forge is on the LAN.
        cap_drop     = ["ALL"]
        security_opt = ["no-new-privileges"]
        extra_hosts  = ["git.example.org:192.168.1.20"]

        mount {
          type     = "bind"
          source   = "local/config.toml"
          target   = "/etc/runner/config.toml"
          readonly = true
        }
      }

      template {
        destination = "local/config.toml"
        change_mode = "restart"
        data        = <<-EOF
          concurrent     = 2
          check_interval = 10

          [[runners]]
            name     = "home-runner"
            url      = "https://git.example.org"
            token    = "{{ with secret "kv/data/ci" }}{{ .Data.data.token }}{{ end }}"
            executor = "docker"
            [runners.docker]
              host       = "tcp://127.0.0.1:2375"
              image      = "alpine:3.20"
              privileged = false
              volumes    = ["/cache"]
        EOF
      }

      env {
        DOCKER_HOST = "tcp://127.0.0.1:2375"
      }

      resources {
        cpu    = 200
        memory = 256
      }

      kill_timeout = "60s"
    }
  }
}
