"""Answers: what the knowledge says, in the words of the people who ask.

Owns finding entities by the names people type (lookup), labels, entity cards,
decisions, the timeline, reconciling articles with official results, and the
saved query registry.

May import: kg.knowledge, kg.stores and kg.model.
"""
