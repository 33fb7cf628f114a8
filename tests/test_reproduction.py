"""tools.reproduction: the share of a hand-written module a generated one holds."""

from __future__ import annotations

from pathlib import Path

from tools.reproduction import compare

HAND = """
resource "kubernetes_deployment" "searxng" {
  spec {
    template {
      spec {
        container {
          name  = "web"
          image = "img:1"
          env {
            name  = "A"
            value = "1"
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "searxng" {
  spec {
    selector = { app = "x" }
    port {
      port        = 80
      target_port = 8080
    }
  }
}

resource "kubernetes_ingress_v1" "searxng" {
  spec {
    rule {
      host = "a"
      http {
        path {
          backend {
            service {
              name = kubernetes_service.searxng.metadata[0].name
            }
          }
        }
      }
    }
  }
}

variable "hostname" {
  default = "search.example.org"
}
"""

GENERATED = """
resource "kubernetes_deployment" "app" {
  spec {
    template {
      spec {
        container {
          name  = "web"
          image = "img:2"
          env {
            name  = "A"
            value = "1"
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "app" {
  spec {
    selector = { app = "x" }
    port {
      port        = 80
      target_port = "http"
    }
  }
}

resource "kubernetes_ingress_v1" "app" {
  spec {
    rule {
      host = "a"
      http {
        path {
          backend {
            service {
              name = kubernetes_service.app.metadata[0].name
            }
          }
        }
      }
    }
  }
}

variable "hostname" {
  default = "search.example.org"
}
"""


def _module(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(text)
    return folder


def test_counts_facts_by_value_whatever_the_resource_names(tmp_path: Path) -> None:
    hand = _module(tmp_path / "hand", HAND)
    generated = _module(tmp_path / "generated", GENERATED)
    reproduced, total, missing = compare(hand, generated)
    # 10 facts in all; the image tag and the numeric target port differ.
    assert (reproduced, total) == (8, 10)
    assert sorted(missing) == [
        "kubernetes_deployment: spec.template.spec.container[web].image = img:1",
        "kubernetes_service: spec.port[?0].target_port = 8080",
    ]


def test_a_module_reproduces_itself(tmp_path: Path) -> None:
    hand = _module(tmp_path / "hand", HAND)
    reproduced, total, missing = compare(hand, hand)
    assert reproduced == total and not missing


def _compare(tmp_path: Path, hand: str, generated: str) -> tuple[int, int, list[str]]:
    return compare(_module(tmp_path / "hand", hand), _module(tmp_path / "generated", generated))


def test_a_string_local_counts_as_its_value(tmp_path: Path) -> None:
    hand = """
locals {
  app_name = "searxng"
  secret   = "${local.app_name}-secrets"
}
resource "kubernetes_deployment" "searxng" {
  spec {
    template {
      spec {
        container {
          name = local.app_name
          env {
            name = "A"
            value_from {
              secret_key_ref {
                name = local.secret
              }
            }
          }
        }
      }
    }
  }
}
"""
    generated = """
resource "kubernetes_deployment" "app" {
  spec {
    template {
      spec {
        container {
          name = "searxng"
          env {
            name = "A"
            value_from {
              secret_key_ref {
                name = "searxng-secrets"
              }
            }
          }
        }
      }
    }
  }
}
"""
    # Each local counts where it is used, not again on its own; an unused one counts.
    assert _compare(tmp_path, hand, generated) == (3, 3, [])
    unused = hand.replace("name = local.secret", 'name = "searxng-secrets"')
    assert _compare(tmp_path / "unused", unused, generated)[2] == [
        "locals: secret = searxng-secrets"
    ]


def test_a_heredoc_counts_as_its_text(tmp_path: Path) -> None:
    hand = """
resource "kubernetes_deployment" "a" {
  spec {
    args = [<<-EOF
      set -e
      echo "$${HOME}" "${var.x}"
    EOF
    ]
    data = { "a.conf" = local.conf }
  }
}
locals {
  conf = <<-EOF
    listen 80;
  EOF
}
"""
    generated = """
resource "kubernetes_deployment" "a" {
  spec {
    args = ["set -e\\necho \\"$${HOME}\\" \\"${var.x}\\""]
    data = { "a.conf" = "listen 80;\\n" }
  }
}
"""
    # The local is counted where it is used, not again on its own.
    assert _compare(tmp_path, hand, generated) == (2, 2, [])


def test_a_kubectl_manifest_is_read_as_its_object_and_paired_by_kind(tmp_path: Path) -> None:
    hand = """
resource "kubectl_manifest" "vpa" {
  yaml_body = yamlencode({
    kind = "VerticalPodAutoscaler"
    spec = { updatePolicy = { updateMode = "Off" } }
  })
}
resource "kubectl_manifest" "external_secret" {
  yaml_body = yamlencode({
    kind = "ExternalSecret"
    spec = {
      refreshInterval = "1h"
      data = [
        { secretKey = "A", remoteRef = { key = "default/x", property = "A" } },
        { secretKey = "B", remoteRef = { key = "default/x", property = "B" } },
      ]
    }
  })
}
"""
    generated = """
resource "kubectl_manifest" "external_secret" {
  yaml_body = <<-EOT
    kind: ExternalSecret
    spec:
      refreshInterval: 1h
      data:
        - secretKey: B
          remoteRef: {key: nomad/default/x, property: B}
        - secretKey: A
          remoteRef: {key: default/x, property: A}
  EOT
}
"""
    reproduced, total, missing = _compare(tmp_path, hand, generated)
    assert sorted(missing) == [
        "kubectl_manifest ExternalSecret: spec.data[B].remoteRef.key = default/x",
        "kubectl_manifest VerticalPodAutoscaler: kind = VerticalPodAutoscaler",
        "kubectl_manifest VerticalPodAutoscaler: spec.updatePolicy.updateMode = Off",
    ]
    assert (reproduced, total) == (7, 10)


def test_an_item_written_without_its_key_pairs_with_the_closest_item(tmp_path: Path) -> None:
    hand = """
resource "kubernetes_service" "a" {
  spec {
    port {
      port        = 9000
      target_port = 9000
    }
    port {
      port        = 80
      target_port = 8080
    }
  }
}
"""
    generated = """
resource "kubernetes_service" "a" {
  spec {
    port {
      name        = "http"
      port        = 80
      target_port = 8080
    }
    port {
      name        = "s3"
      port        = 9000
      target_port = "s3"
    }
  }
}
"""
    reproduced, total, missing = _compare(tmp_path, hand, generated)
    assert missing == ["kubernetes_service: spec.port[?0].target_port = 9000"]
    assert (reproduced, total) == (3, 4)


def test_an_escaped_interpolation_is_not_the_interpolation(tmp_path: Path) -> None:
    hand = 'resource "kubernetes_config_map" "a" {\n  data = { x = "${var.host}" }\n}\n'
    generated = 'resource "kubernetes_config_map" "a" {\n  data = { x = "$${var.host}" }\n}\n'
    assert _compare(tmp_path, hand, generated) == (
        0,
        1,
        ["kubernetes_config_map: data.x = ${var.host}"],
    )


def test_a_dynamic_block_counts_as_the_blocks_it_makes_with_the_defaults(tmp_path: Path) -> None:
    hand = """
resource "kubernetes_ingress_v1" "a" {
  spec {
    rule {
      host = "a.example.org"
      http {
        path {
          path = "/"
        }
      }
    }
    rule {
      host = "b.example.org"
      http {
        path {
          path = "/"
        }
      }
    }
  }
}
"""
    generated = """
resource "kubernetes_ingress_v1" "a" {
  spec {
    dynamic "rule" {
      for_each = toset(var.hostnames)
      content {
        host = rule.value
        http {
          path {
            path = "/"
          }
        }
      }
    }
  }
}
variable "hostnames" {
  type    = list(string)
  default = ["a.example.org", "c.example.org"]
}
"""
    reproduced, total, missing = _compare(tmp_path, hand, generated)
    assert sorted(missing) == [
        "kubernetes_ingress_v1: spec.rule[b.example.org].host = b.example.org",
        "kubernetes_ingress_v1: spec.rule[b.example.org].http.path.path = /",
    ]
    assert (reproduced, total) == (2, 4)
