"""Evaluation: `omstillingsbot eval`.

Runs question sets and conversation sets against an engine, cross-validates the learned parts,
compares the engine with simpler recipes and plots the results. It sits beside the composition root
(it builds engines and services through `bot.runtime`) and is imported only by `bot.cli`.
"""
