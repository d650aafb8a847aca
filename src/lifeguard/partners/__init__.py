"""Partners: platforms, merchants, logistics companies and alert apps that talk to Lifeguard."""
