"""Offer rules: the rule model, the offer parser, the price calculator and rules as text."""
